// The only reader of process.env: validates app settings once and fails fast with a clear message.
// zod/mini: the tree-shakable build of zod; the classic one adds ~440 KB of locales to the bundle (cold start).
import * as z from "zod/mini";
import { clouds, type CloudName } from "./clouds";

const httpsUrl = z.pipe(
  z.url({ protocol: /^https$/, error: "must be an https:// URL" }),
  z.transform((u: string) => u.replace(/\/+$/, "")),
);

const settingsSchema = z.object({
  AZURE_CLOUD: z._default(z.enum(["AzurePublicCloud", "AzureUSGovernment", "AzureChinaCloud"]), "AzurePublicCloud"),
  /** Overrides the cloud's ARM endpoint (the local emulator, or a private ARM endpoint). */
  ARM_ENDPOINT: z.optional(httpsUrl),
  /** Overrides the cloud's Entra authority host (the local emulator's authority). */
  AZURE_AUTHORITY_HOST: z.optional(httpsUrl),
  /** Client ID of the app's user-assigned managed identity. */
  AZURE_CLIENT_ID: z.optional(z.uuid()),
  /** Local development only: an Azurite connection string. In Azure, the service URIs below with the identity. */
  AzureWebJobsStorage: z.optional(z.string().check(z.minLength(1))),
  AzureWebJobsStorage__tableServiceUri: z.optional(httpsUrl),
  AzureWebJobsStorage__queueServiceUri: z.optional(httpsUrl),
  AzureWebJobsStorage__blobServiceUri: z.optional(httpsUrl),
  APP_VERSION: z.optional(z.string()),
});

export interface Settings {
  cloud: CloudName;
  armEndpoint: string;
  armAudience: string;
  authorityHost: string;
  tokenExchangeAudience: string;
  managedIdentityClientId: string | undefined;
  storage:
    | { kind: "connectionString"; connectionString: string }
    | { kind: "identity"; tableServiceUri: string; queueServiceUri: string | undefined; blobServiceUri: string | undefined }
    | { kind: "none" };
  version: string;
}

export class SettingsError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid app settings:\n  - ${issues.join("\n  - ")}`);
    this.name = "SettingsError";
  }
}

export function readSettings(env: NodeJS.ProcessEnv, version: string): Settings {
  const parsed = settingsSchema.safeParse(env);
  if (!parsed.success) {
    throw new SettingsError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const s = parsed.data;
  const cloud = clouds[s.AZURE_CLOUD];
  const storage: Settings["storage"] = s.AzureWebJobsStorage
    ? { kind: "connectionString", connectionString: s.AzureWebJobsStorage }
    : s.AzureWebJobsStorage__tableServiceUri
      ? {
          kind: "identity",
          tableServiceUri: s.AzureWebJobsStorage__tableServiceUri,
          queueServiceUri: s.AzureWebJobsStorage__queueServiceUri,
          blobServiceUri: s.AzureWebJobsStorage__blobServiceUri,
        }
      : { kind: "none" };
  return {
    cloud: s.AZURE_CLOUD,
    armEndpoint: s.ARM_ENDPOINT ?? cloud.armEndpoint,
    armAudience: cloud.armAudience,
    authorityHost: s.AZURE_AUTHORITY_HOST ?? cloud.authorityHost,
    tokenExchangeAudience: cloud.tokenExchangeAudience,
    managedIdentityClientId: s.AZURE_CLIENT_ID,
    storage,
    version: s.APP_VERSION ?? version,
  };
}
