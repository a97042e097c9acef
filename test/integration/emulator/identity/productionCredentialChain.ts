// Run as a child process by hostTunnel.test.ts: the function app's credential chain exactly as production
// builds it (no authorityHost, no disableInstanceDiscovery, no TLS options), with only the process
// environment pointing at the local Azure. Prints the claims of the tokens it got, as JSON.
import { ClientAssertionCredential, ManagedIdentityCredential } from "@azure/identity";
import { decodeJwt } from "jose";

async function main(): Promise<void> {
  const env = (name: string) => {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  const identity = new ManagedIdentityCredential({ clientId: env("TEST_UAMI_CLIENT_ID") });
  const getAssertion = async () => (await identity.getToken("api://AzureADTokenExchange/.default")).token;
  const scope = "https://management.azure.com/.default";
  const defaultAuthority = new ClientAssertionCredential(env("TEST_TENANT_ID"), env("TEST_APP_ID"), getAssertion);
  // A configured authority host outside MSAL's known clouds: instance discovery goes to login.microsoftonline.com.
  const configuredAuthority = new ClientAssertionCredential(env("TEST_TENANT_ID"), env("TEST_APP_ID"), getAssertion, {
    authorityHost: env("TEST_AUTHORITY_HOST"),
  });
  const result = {
    defaultAuthority: decodeJwt((await defaultAuthority.getToken(scope)).token),
    configuredAuthority: decodeJwt((await configuredAuthority.getToken(scope)).token),
  };
  process.stdout.write(JSON.stringify(result));
}

main().catch((error: unknown) => {
  process.stderr.write(String(error instanceof Error ? error.stack : error));
  process.exitCode = 1;
});
