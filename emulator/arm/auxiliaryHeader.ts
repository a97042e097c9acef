// Parses `x-ms-authorization-auxiliary`: up to 3 comma-separated `Bearer <jwt>` entries (ARM's limit).
import { ArmError } from "./contract";

export const MAX_AUXILIARY_TOKENS = 3;

export function parseAuxiliaryHeader(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const raw = Array.isArray(value) ? value.join(",") : value;
  const entries = raw
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length > MAX_AUXILIARY_TOKENS) {
    throw new ArmError(
      400,
      "InvalidAuxiliaryTokens",
      `The request has ${entries.length} auxiliary tokens in the 'x-ms-authorization-auxiliary' header; at most ${MAX_AUXILIARY_TOKENS} are allowed.`,
    );
  }
  return entries.map((entry, index) => {
    const match = /^Bearer\s+(\S+)$/i.exec(entry);
    if (!match) {
      throw new ArmError(
        401,
        "InvalidAuthenticationToken",
        `The auxiliary token at position ${index + 1} in the 'x-ms-authorization-auxiliary' header is malformed: it must be 'Bearer <token>'.`,
      );
    }
    return match[1] as string;
  });
}
