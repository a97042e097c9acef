// JSON values in table entities: a string property holds at most 64 KiB (32K UTF-16 characters), so a
// large document is split over `{name}`, `{name}1`, `{name}2`, ... with `{name}Parts` saying how many.

/** Characters per property: under the 32,768 a 64 KiB UTF-16 string property allows. */
export const JSON_CHUNK_CHARS = 30_000;
/**
 * An entity holds at most 1 MiB (UTF-16: 2 bytes a character): two documents of this size (a journal
 * entry's before and after) still fit with the other properties.
 */
export const MAX_JSON_CHARS = JSON_CHUNK_CHARS * 7;

export class JsonTooLargeError extends Error {
  constructor(readonly property: string, readonly length: number) {
    super(`${property} is ${length} characters of JSON; the registry keeps at most ${MAX_JSON_CHARS}`);
    this.name = "JsonTooLargeError";
  }
}

/**
 * Non-ASCII characters are written as \uXXXX escapes (still valid JSON): chunks can then be cut anywhere
 * without splitting a surrogate pair, which the wire's UTF-8 would otherwise turn into U+FFFD.
 */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function toJsonProperties(name: string, value: unknown): Record<string, string | number> {
  if (value === undefined) return {};
  const json = asciiJson(value);
  if (json.length > MAX_JSON_CHARS) throw new JsonTooLargeError(name, json.length);
  if (json.length <= JSON_CHUNK_CHARS) return { [name]: json };
  const out: Record<string, string | number> = {};
  let part = 0;
  for (let at = 0; at < json.length; at += JSON_CHUNK_CHARS, part++) {
    out[part === 0 ? name : `${name}${part}`] = json.slice(at, at + JSON_CHUNK_CHARS);
  }
  out[`${name}Parts`] = part;
  return out;
}

/** The value written by toJsonProperties, or undefined when the entity has none. */
export function fromJsonProperties(name: string, entity: Readonly<Record<string, unknown>>): unknown {
  const first = entity[name];
  if (typeof first !== "string") return undefined;
  const parts = typeof entity[`${name}Parts`] === "number" ? (entity[`${name}Parts`] as number) : 1;
  let json = first;
  for (let part = 1; part < parts; part++) {
    const chunk = entity[`${name}${part}`];
    if (typeof chunk !== "string") throw new Error(`${name}: part ${part} of ${parts} is missing`);
    json += chunk;
  }
  return JSON.parse(json) as unknown;
}
