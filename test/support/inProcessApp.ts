// The app's own wiring in the test process, against a running stack: what the host builds, with the
// emulator's CA trusted through client options (the host gets NODE_EXTRA_CA_CERTS instead).
import { ManagedIdentityCredential } from "@azure/identity";
import type { Stack } from "../../emulator/stack";
import { parseAccessPolicy } from "../../src/lib/auth/policy";
import { createClientFactory, type ClientFactory } from "../../src/lib/azure/clientFactory";
import { readSettings, type Settings } from "../../src/lib/config/settings";
import type { AccessPolicy } from "../../src/lib/auth/caller";

export interface InProcessApp {
  settings: Settings;
  clients: ClientFactory;
  policy: AccessPolicy;
}

/**
 * Reads the stack's app settings (plus `overrides`) and builds the clients as the app's managed identity.
 * Sets IDENTITY_ENDPOINT/IDENTITY_HEADER in this process (the MI credential reads them), as a host would.
 */
export function inProcessApp(stack: Stack, overrides: Record<string, string> = {}): InProcessApp {
  process.env.IDENTITY_ENDPOINT = stack.identityEndpoint;
  process.env.IDENTITY_HEADER = stack.identityHeader;
  const settings = readSettings({ ...stack.appSettings, AZURE_AUTHORITY_HOST: stack.authorityHost, ...overrides }, "test");
  const tls = { tlsOptions: { ca: stack.emulator.caPem } };
  const clients = createClientFactory(settings, {
    credential: new ManagedIdentityCredential({ clientId: stack.world.appIdentityClientId as string }),
    clientOptions: tls,
    // MSAL sends instance discovery to login.microsoftonline.com; in-process there is no tunnel.
    crossTenantCredentialOptions: { ...tls, disableInstanceDiscovery: true },
  });
  const policy = parseAccessPolicy(settings.accessPolicy);
  if (!policy.ok) throw policy.error;
  return { settings, clients, policy: policy.value };
}
