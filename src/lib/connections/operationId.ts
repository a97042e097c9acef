// Operation IDs carry the connection they belong to, so `GET /api/operations/{id}` needs no extra index:
// base64url of the connection's key, a dot, and a random suffix (unguessable, unique per operation).
import type { ConnectionKey } from "./model";

export function toOperationId(key: ConnectionKey, nonce: string): string {
  const parts = [key.subscriptionId, key.resourceGroup, key.cluster, key.database, key.name];
  return `${Buffer.from(JSON.stringify(parts), "utf8").toString("base64url")}.${nonce.replace(/[^A-Za-z0-9-]/g, "")}`;
}

/** The connection key of an operation ID, or undefined when it is not one of ours. */
export function fromOperationId(operationId: string): ConnectionKey | undefined {
  const [encoded, nonce, ...rest] = operationId.split(".");
  if (!encoded || !nonce || rest.length > 0 || !/^[A-Za-z0-9_-]+$/.test(encoded)) return undefined;
  try {
    const parts: unknown = JSON.parse(Buffer.from(encoded, "base64url").toString("utf8"));
    if (!Array.isArray(parts) || parts.length !== 5 || !parts.every((p) => typeof p === "string" && p.length > 0)) return undefined;
    const [subscriptionId, resourceGroup, cluster, database, name] = parts as string[];
    return { subscriptionId, resourceGroup, cluster, database, name } as ConnectionKey;
  } catch {
    return undefined;
  }
}
