// startEmulator: the local Azure control plane in one call — a per-run CA, the Entra-like token service and
// authority, the App Service managed-identity endpoint, and the ARM front door with every provider and
// Event Grid, plus the admin API on the ARM server under /__admin.
import { mkdir, readFile } from "node:fs/promises";
import { createAdminApi } from "./admin/adminApi";
import { createActionLogFile } from "./arm/actionLog";
import { startArmServer } from "./arm/armServer";
import { createClock } from "./arm/clock";
import type { TokenService } from "./arm/contract";
import { createRbac } from "./arm/rbac";
import { createEventGrid } from "./eventgrid/index";
import { createTokenService, startAuthority, startManagedIdentityEndpoint } from "./identity/index";
import { providers } from "./providers/index";
import { createCertificateAuthority } from "./tls/certificateAuthority";
import { startHostTunnel } from "./tls/hostTunnel";
import type { Principal, WorldSeed } from "./world/types";
import { World } from "./world/world";

export interface EmulatorOptions {
  /** Where the CA (ca.pem) goes. */
  stateDir: string;
  /** A seed or the path of a world JSON file; default an empty world. */
  world?: WorldSeed | string;
  /** ARM port; 0 or undefined picks a free one. */
  port?: number;
  authorityPort?: number;
  identityPort?: number;
  /** ARM's per-principal token buckets (default on). */
  throttling?: boolean;
  /** Multiplies simulated durations (LROs, Event Grid retries); default 1. */
  timeScale?: number;
  /** Object IDs of the identities the MI endpoint serves; default from the world's meta. */
  appIdentities?: string[];
  /**
   * Appends one JSON line per authorized ARM action to this file (scripts/checkLeastPrivilege.ts reads it).
   * Default: the `ARM_ACTION_LOG` environment variable, which `npm test` sets; none when both are unset.
   * `""` turns it off: for tests that act as the app's identity to test the emulator, not the app.
   */
  actionLogFile?: string;
}

export interface EmulatorHandle {
  /** https://127.0.0.1:PORT — what the SDKs use as endpoint/$host. */
  armEndpoint: string;
  authorityHost: string;
  identityEndpoint: string;
  identityHeader: string;
  caFile: string;
  caPem: string;
  /** The leaf certificate and key the emulator serves (signed by the CA): for Azurite's HTTPS. */
  tls: { certPem: string; keyPem: string };
  /**
   * An HTTPS_PROXY that tunnels login.microsoftonline.com to the local authority (use with
   * NO_PROXY=127.0.0.1,localhost): MSAL's instance discovery always goes there, whatever the authority host.
   */
  proxyUrl: string;
  /** `${armEndpoint}/__admin` */
  adminUrl: string;
  world: World;
  tokens: TokenService;
  close(): Promise<void>;
}

const ENTRA_HOST = "login.microsoftonline.com";

export async function startEmulator(options: EmulatorOptions): Promise<EmulatorHandle> {
  await mkdir(options.stateDir, { recursive: true });
  const seed = typeof options.world === "string" ? (JSON.parse(await readFile(options.world, "utf8")) as WorldSeed) : options.world;
  const world = new World(seed);
  const actionLogFile = options.actionLogFile ?? process.env.ARM_ACTION_LOG;
  const clock = createClock(options.timeScale ?? 1);
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    closers.length = 0;
  };
  try {
    // The leaf also carries Entra's public name, served through the tunnel below.
    const ca = await createCertificateAuthority({ dir: options.stateDir, hosts: [ENTRA_HOST] });
    const tokens = await createTokenService({ world, clock });
    const authority = await startAuthority({ world, tokens, tls: ca, port: options.authorityPort });
    closers.push(() => authority.close());
    const tunnel = await startHostTunnel({ routes: { [ENTRA_HOST]: { port: Number(new URL(authority.authorityHost).port) } } });
    closers.push(() => tunnel.close());

    const identityIds = options.appIdentities ?? defaultAppIdentities(seed);
    const identities = () => identityIds.map((id) => world.getPrincipal(id)).filter((p): p is Principal => p !== undefined);
    const mi = await startManagedIdentityEndpoint({ world, tokens, identities, port: options.identityPort });
    closers.push(() => mi.close());

    let origin = "";
    const rbac = createRbac(world);
    const eventGrid = createEventGrid({
      world,
      tokens,
      clock: { now: () => clock.now(), timeScale: () => clock.timeScale() },
      origin: () => origin,
      rbac: { isAllowed: (p, action, scope, kind) => rbac.isAllowed(p, action, scope, kind) },
      ca: ca.caPem,
    });
    closers.push(() => eventGrid.close());

    const arm = await startArmServer({
      world,
      tokens,
      tls: ca,
      providers: [...providers, eventGrid.provider],
      sink: eventGrid.sink,
      port: options.port,
      throttling: options.throttling ?? true,
      clock,
      authorityHost: () => `${authority.authorityHost}/`,
      onAuthorized: actionLogFile ? createActionLogFile(actionLogFile) : undefined,
    });
    closers.push(() => arm.close());
    origin = arm.origin;
    arm.use(
      createAdminApi({
        world,
        tokens,
        arm,
        initialSeed: () => seed,
        eventGridAdmin: (req, res, body) => eventGrid.handleAdmin(req, res, body),
        resetEventGrid: () => eventGrid.reset(),
      }),
    );
    arm.use((req, res, body) => eventGrid.handleDataPlane(req, res, body));

    return {
      armEndpoint: arm.origin,
      authorityHost: authority.authorityHost,
      identityEndpoint: mi.endpoint,
      identityHeader: mi.header,
      caFile: ca.caFile,
      caPem: ca.caPem,
      tls: { certPem: ca.certPem, keyPem: ca.keyPem },
      proxyUrl: tunnel.proxyUrl,
      adminUrl: `${arm.origin}/__admin`,
      world,
      tokens,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The app's identities named in the world's meta (the UAMI, and the function app's system identity if any). */
function defaultAppIdentities(seed: WorldSeed | undefined): string[] {
  const meta = seed?.meta ?? {};
  return [meta.appIdentityObjectId, meta.functionAppSystemIdentityObjectId].filter((id): id is string => typeof id === "string" && id !== "");
}
