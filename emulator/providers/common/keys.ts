// Shared-access keys for listKeys actions: stable per resource for the life of the process, random across
// runs (a per-process salt), 32 bytes in base64 like the real ones. Never logged.
import { createHash, randomBytes } from "node:crypto";
import { resourceKey } from "../../world/resourceId";

const salt = randomBytes(32);

/** The key in `slot` ("primary" | "secondary") of the key named `keyName` on resource `id`. */
export function generatedKey(id: string, keyName: string, slot: "primary" | "secondary"): string {
  return createHash("sha256").update(salt).update(resourceKey(id)).update("\0").update(keyName.toLowerCase()).update("\0").update(slot).digest("base64");
}
