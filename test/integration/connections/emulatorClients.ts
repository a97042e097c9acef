// The app's real client factory pointed at a running emulator: settings as the host would have them, the
// emulator's CA trusted through client options, the app's managed identity from the emulator's MI endpoint.
import { ManagedIdentityCredential } from "@azure/identity";
import { readSettings, type Settings } from "../../../src/lib/config/settings";
import { createClientFactory, type ClientFactory } from "../../../src/lib/azure/clientFactory";
import type { EmulatorHandle } from "../../../emulator/index";

export interface EmulatorClients {
  settings: Settings;
  clients: ClientFactory;
  restoreEnv(): void;
}

/** Sets IDENTITY_ENDPOINT/IDENTITY_HEADER (read by the MI credential when built) until restoreEnv(). */
export function emulatorClients(emulator: EmulatorHandle, meta: Record<string, string>, env: Record<string, string | undefined> = {}): EmulatorClients {
  const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
  process.env.IDENTITY_ENDPOINT = emulator.identityEndpoint;
  process.env.IDENTITY_HEADER = emulator.identityHeader;
  const all: Record<string, string | undefined> = {
    ARM_ENDPOINT: emulator.armEndpoint,
    AZURE_AUTHORITY_HOST: emulator.authorityHost,
    AZURE_CLIENT_ID: meta.appIdentityClientId,
    APP_TENANT_ID: meta.kustoTenantId,
    APP_PRINCIPAL_ID: meta.appIdentityObjectId,
    CROSS_TENANT_APP_CLIENT_ID: meta.multiTenantAppId,
    SOURCE_TENANTS: JSON.stringify([{ tenantId: meta.sourceTenantId, servicePrincipalObjectId: meta.multiTenantAppServicePrincipalIdSourceTenant }]),
    KUSTO_WAIT_MS: "5000",
    ...env,
  };
  // An undefined value leaves the setting out (as if the app setting were absent).
  const settings = readSettings(Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)), "test");
  const ca = { tlsOptions: { ca: emulator.caPem } };
  const clients = createClientFactory(settings, {
    credential: new ManagedIdentityCredential({ clientId: meta.appIdentityClientId as string }),
    clientOptions: ca,
    // MSAL's instance discovery goes to login.microsoftonline.com; the host tunnels it, a test skips it.
    crossTenantCredentialOptions: { ...ca, disableInstanceDiscovery: true },
  });
  return {
    settings,
    clients,
    restoreEnv() {
      if (saved.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT;
      else process.env.IDENTITY_ENDPOINT = saved.endpoint;
      if (saved.header === undefined) delete process.env.IDENTITY_HEADER;
      else process.env.IDENTITY_HEADER = saved.header;
    },
  };
}
