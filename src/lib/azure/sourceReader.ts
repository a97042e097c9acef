// SourceReader over ARM: a generic GET of a source (or Kusto) resource with its provider's api-version, sent
// through the tenant's Authorization client pipeline (its credential: the app's identity at home, the
// cross-tenant app in a source tenant; its retry and throttling policies). 404 = gone.
import { createPipelineRequest } from "@azure/core-rest-pipeline";
import type { AuthorizationManagementClient } from "@azure/arm-authorization";
import { AppError } from "../errors";
import type { SourceReader } from "../revocation/ports";
import { withCorrelationPolicy } from "./telemetryPolicy";

export interface SourceReaderOptions {
  /** The ARM endpoint (settings.armEndpoint). */
  armEndpoint: string;
  /** A client whose pipeline authenticates in `tenantId` (the client factory's authorization(tenantId)). */
  clientFor(tenantId: string): Pick<AuthorizationManagementClient, "sendRequest" | "pipeline">;
}

/** The api-version per provider namespace (stable versions the emulator and Azure both serve). */
export const sourceApiVersions: Readonly<Record<string, string>> = {
  "microsoft.eventhub": "2024-01-01",
  "microsoft.storage": "2023-05-01",
  "microsoft.devices": "2023-06-30",
  "microsoft.documentdb": "2024-11-15",
  "microsoft.kusto": "2023-08-15",
};

export function createSourceReader(options: SourceReaderOptions): SourceReader {
  const endpoint = options.armEndpoint.replace(/\/+$/, "");
  return {
    async exists(tenantId, resourceId) {
      const namespace = resourceId.match(/\/providers\/([^/]+)\//i)?.[1]?.toLowerCase();
      const apiVersion = namespace ? sourceApiVersions[namespace] : undefined;
      if (!apiVersion) throw new AppError("internal", "UnknownSourceProvider", `No api-version known for ${resourceId}.`);
      const path = resourceId.split("/").map(encodeURIComponent).join("/");
      const request = createPipelineRequest({ url: `${endpoint}${path}?api-version=${apiVersion}`, method: "GET" });
      let status: number;
      try {
        status = (await withCorrelationPolicy(options.clientFor(tenantId)).sendRequest(request)).status;
      } catch (error) {
        throw new AppError("upstream", "SourceReadFailed", `Reading ${resourceId} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
      if (status === 404) return false;
      if (status >= 200 && status < 300) return true;
      if (status === 429) throw new AppError("throttled", "SourceReadThrottled", `ARM throttled reading ${resourceId}.`, { retryAfterInSeconds: 10 });
      if (status === 403) throw new AppError("forbidden", "SourceReadForbidden", `The app may not read ${resourceId} (HTTP 403): it cannot confirm the deletion.`);
      throw new AppError("upstream", "SourceReadFailed", `Reading ${resourceId} failed: HTTP ${status}.`);
    },
  };
}
