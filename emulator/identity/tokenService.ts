// The emulated Entra ID's signing service: mints the RS256 JWTs of every identity in the world and
// verifies bearer tokens the way ARM does (signature, lifetime, audience, issuer), failing with ARM's 401s.
import { randomUUID } from "node:crypto";
import { SignJWT, createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify, errors } from "jose";
import type { JWK, JWTPayload } from "jose";
import { ArmError } from "../arm/contract";
import type { TokenService } from "../arm/contract";
import type { World } from "../world/world";

export interface TokenServiceOptions {
  /** Tokens of tenants the world does not know are refused; without a world every tenant is accepted. */
  world?: World;
  /** Authority base of issuers; default the public cloud's https://login.microsoftonline.com. */
  issuerBase?: string;
  /** Current time in ms (tests move it); default Date.now. */
  clock?: { now(): number };
  /** Tolerance on `exp`/`nbf`; default 5 minutes, as ARM and Entra allow. */
  clockSkewInSeconds?: number;
  /** Lifetime of minted tokens when the caller does not say; default 1 hour. */
  defaultLifetimeInSeconds?: number;
}

export interface EmulatorTokenService extends TokenService {
  /** The public signing keys, as the authority's `jwks_uri` serves them. */
  jwks(): { keys: JWK[] };
}

const DEFAULT_ISSUER_BASE = "https://login.microsoftonline.com";

/** How ARM names token claims in `data.claims` of its events (the .NET inbound claim mapping). */
const ARM_CLAIM_NAMES: Record<string, string> = {
  oid: "http://schemas.microsoft.com/identity/claims/objectidentifier",
  tid: "http://schemas.microsoft.com/identity/claims/tenantid",
  sub: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier",
  scp: "http://schemas.microsoft.com/identity/claims/scope",
  roles: "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
};

export async function createTokenService(options: TokenServiceOptions = {}): Promise<EmulatorTokenService> {
  const issuerBase = (options.issuerBase ?? DEFAULT_ISSUER_BASE).replace(/\/+$/, "");
  const now = () => options.clock?.now() ?? Date.now();
  const skewInSeconds = options.clockSkewInSeconds ?? 300;
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = randomUUID().replaceAll("-", "");
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, use: "sig", alg: "RS256" };
  const keySet = createLocalJWKSet({ keys: [publicJwk] });

  const issuer = (tenantId: string) => `${issuerBase}/${tenantId}/v2.0`;

  return {
    issuer,
    jwks: () => ({ keys: [{ ...publicJwk }] }),

    async mint(input) {
      const iat = Math.floor(now() / 1000);
      const lifetime = input.lifetimeInSeconds ?? options.defaultLifetimeInSeconds ?? 3600;
      const claims: JWTPayload = {
        aud: input.audience,
        iss: issuer(input.tenantId),
        iat,
        nbf: iat,
        exp: iat + lifetime,
        idtyp: "app",
        oid: input.objectId,
        sub: input.objectId,
        tid: input.tenantId,
        uti: randomUUID().replaceAll("-", ""),
        ver: "2.0",
        ...(input.appId ? { appid: input.appId, azp: input.appId } : {}),
        ...(input.roles && input.roles.length > 0 ? { roles: input.roles } : {}),
        ...input.extraClaims,
      };
      return new SignJWT(claims).setProtectedHeader({ alg: "RS256", typ: "JWT", kid }).sign(privateKey);
    },

    async verify(token, audience) {
      let payload: JWTPayload;
      try {
        decodeProtectedHeader(token); // malformed tokens fail here with a clearer cause than the signature check
        ({ payload } = await jwtVerify(token, keySet, {
          algorithms: ["RS256"],
          clockTolerance: skewInSeconds,
          currentDate: new Date(now()),
        }));
      } catch (error) {
        throw toArmError(error, token, now());
      }
      const tid = typeof payload.tid === "string" ? payload.tid : undefined;
      const oid = typeof payload.oid === "string" ? payload.oid : undefined;
      if (!tid || !oid) {
        throw invalidToken("The received access token is not valid: at least one of the claims 'puid' or 'altsecid' or 'oid' should be present. If you are accessing as application please make sure service principal is properly created in the tenant.");
      }
      if (payload.iss !== issuer(tid) || (options.world && !options.world.tenants.has(tid.toLowerCase()))) {
        throw invalidToken(`The access token is from an unknown issuer '${String(payload.iss)}' or tenant '${tid}'.`);
      }
      const allowed = (typeof audience === "string" ? [audience] : audience).map(normalizeAudience);
      const presented = Array.isArray(payload.aud) ? payload.aud : payload.aud === undefined ? [] : [payload.aud];
      if (!presented.some((a) => allowed.includes(normalizeAudience(a)))) {
        throw new ArmError(
          401,
          "InvalidAuthenticationTokenAudience",
          `The access token has been obtained for wrong audience or resource '${presented.join(",")}'. It should exactly match with one of the allowed audiences ${expandAudiences(audience)}.`,
          wwwAuthenticate("The access token has been obtained for wrong audience or resource."),
        );
      }
      const appId = typeof payload.appid === "string" ? payload.appid : typeof payload.azp === "string" ? payload.azp : undefined;
      return { tenantId: tid, objectId: oid, appId, claims: toArmClaims(payload) };
    },
  };
}

/** ARM accepts an audience with or without its trailing slash, in any case. */
function normalizeAudience(audience: string): string {
  return audience.replace(/\/+$/, "").toLowerCase();
}

function expandAudiences(audience: string | readonly string[]): string {
  const list = typeof audience === "string" ? [audience] : [...audience];
  const both = list.flatMap((a) => [a.replace(/\/+$/, "") + "/", a.replace(/\/+$/, "")]);
  return [...new Set(both)].map((a) => `'${a}'`).join(",");
}

/** Claims as ARM hands them on (string values, long names for the identity claims). */
export function toArmClaims(payload: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined) continue;
    out[ARM_CLAIM_NAMES[name] ?? name] = Array.isArray(value) ? value.join(",") : typeof value === "object" ? JSON.stringify(value) : String(value);
  }
  return out;
}

function toArmError(error: unknown, token: string, nowInMs: number): ArmError {
  if (error instanceof errors.JWTExpired) {
    const exp = typeof error.payload.exp === "number" ? error.payload.exp * 1000 : nowInMs;
    return new ArmError(
      401,
      "ExpiredAuthenticationToken",
      `The access token expiry UTC time '${armTime(exp)}' is earlier than current UTC time '${armTime(nowInMs)}'.`,
      wwwAuthenticate("The access token expiry UTC time is earlier than current UTC time."),
    );
  }
  if (error instanceof errors.JWTClaimValidationFailed && error.claim === "nbf") {
    return invalidToken("The access token is not yet valid.");
  }
  if (token.split(".").length !== 3) return invalidToken("The access token is invalid: it is not a JWT.");
  return invalidToken("The access token is invalid.");
}

function invalidToken(message: string): ArmError {
  return new ArmError(401, "InvalidAuthenticationToken", message, wwwAuthenticate(message));
}

/** ARM's 401s tell the client where to authenticate. */
function wwwAuthenticate(description: string): Record<string, string> {
  return {
    "WWW-Authenticate": `Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="${description.replaceAll('"', "'")}"`,
  };
}

/** .NET's invariant "M/d/yyyy h:mm:ss tt", which ARM's expiry message uses. */
function armTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? "AM" : "PM"}`;
}

