// The parts of host.json the local host honours, with the Functions v4 defaults.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { toDurationInMs } from "./timeSpan";

export interface QueuesConfig {
  maxPollingIntervalInMs: number;
  visibilityTimeoutInMs: number;
  batchSize: number;
  newBatchThreshold: number;
  maxDequeueCount: number;
  messageEncoding: "base64" | "none";
}

export interface HostConfig {
  routePrefix: string;
  queues: QueuesConfig;
}

interface HostJson {
  extensions?: {
    http?: { routePrefix?: string };
    queues?: Record<string, unknown>;
  };
}

export function toHostConfig(json: HostJson): HostConfig {
  const q = json.extensions?.queues ?? {};
  const batchSize = typeof q.batchSize === "number" ? q.batchSize : 16;
  const encoding = typeof q.messageEncoding === "string" ? q.messageEncoding.toLowerCase() : "base64";
  if (encoding !== "base64" && encoding !== "none") throw new Error(`Invalid queues.messageEncoding '${encoding}'.`);
  return {
    routePrefix: (json.extensions?.http?.routePrefix ?? "api").replace(/^\/+|\/+$/g, ""),
    queues: {
      maxPollingIntervalInMs: toDurationInMs(q.maxPollingInterval, 60_000),
      visibilityTimeoutInMs: toDurationInMs(q.visibilityTimeout, 0),
      batchSize,
      newBatchThreshold: typeof q.newBatchThreshold === "number" ? q.newBatchThreshold : Math.floor(batchSize / 2),
      maxDequeueCount: typeof q.maxDequeueCount === "number" ? q.maxDequeueCount : 5,
      messageEncoding: encoding,
    },
  };
}

export function loadHostConfig(appRoot: string): HostConfig {
  const file = join(appRoot, "host.json");
  return toHostConfig(existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as HostJson) : {});
}
