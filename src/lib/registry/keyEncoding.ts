// Table Storage keys: an order-preserving, prefix-preserving, reversible encoding of any string into the
// characters PartitionKey/RowKey allow (no `/ \ # ?`, no control characters), so prefix range queries work.
//
// Each UTF-16 code unit maps to one codeword. "Safe" characters (`-`, `0-9`, `A-Z`, `_`, `a-z`) stand for
// themselves. Every other character falls into one of the runs of unsafe characters between them; a run is
// written as its lead character followed by a fixed number of base-62 digits (the offset in the run):
//
//   run            lead  digits   examples
//   U+0000..U+002C  ","   1        " " -> ",W"   "#" -> ",Z"   "!" -> ",X"
//   U+002E..U+002F  "."   1        "." -> ".0"   "/" -> ".1"
//   U+003A..U+0040  ":"   1        ":" -> ":0"   "?" -> ":5"
//   U+005B..U+005E  "["   1        "\" -> "[1"
//   U+0060          "`"   1        "`" -> "`0"
//   U+007B..U+FFFF  "~"   3        "~" -> "~003" (every non-ASCII code unit, lone surrogates included)
//
// Each lead sits between the safe characters around its run, runs are disjoint, codewords of a run have one
// length and the digits (0-9 < A-Z < a-z) sort as the offsets: so the code is prefix-free and monotone,
// and comparing encodings (ordinal, as Table Storage does) compares the originals (JS code-unit order).
// Encodings are plain ASCII. `!`, `"`, `%`, `'` and space never appear in them: KEY_SEPARATOR ("!") joins
// encoded parts and sorts below every encoded character, so joined keys sort as tuples.

const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

interface Run {
  first: number;
  last: number;
  lead: string;
  width: number;
}

const RUNS: readonly Run[] = [
  { first: 0x00, last: 0x2c, lead: ",", width: 1 },
  { first: 0x2e, last: 0x2f, lead: ".", width: 1 },
  { first: 0x3a, last: 0x40, lead: ":", width: 1 },
  { first: 0x5b, last: 0x5e, lead: "[", width: 1 },
  { first: 0x60, last: 0x60, lead: "`", width: 1 },
  { first: 0x7b, last: 0xffff, lead: "~", width: 3 },
];

/** Joins encoded parts of a composite key; never produced by encodeKey, and sorts below all it produces. */
export const KEY_SEPARATOR = "!";

function isSafe(code: number): boolean {
  return (
    code === 0x2d || // -
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    code === 0x5f || // _
    (code >= 0x61 && code <= 0x7a)
  );
}

const runByLead = new Map(RUNS.map((run) => [run.lead, run]));

function runOf(code: number): Run {
  for (const run of RUNS) if (code >= run.first && code <= run.last) return run;
  throw new Error(`unreachable: no run for U+${code.toString(16)}`);
}

export function encodeKey(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (isSafe(code)) {
      out += value[i];
      continue;
    }
    const run = runOf(code);
    let offset = code - run.first;
    let digits = "";
    for (let d = 0; d < run.width; d++) {
      digits = DIGITS[offset % 62] + digits;
      offset = Math.floor(offset / 62);
    }
    out += run.lead + digits;
  }
  return out;
}

/** Inverse of encodeKey; throws on text encodeKey cannot have produced. */
export function decodeKey(encoded: string): string {
  let out = "";
  let i = 0;
  while (i < encoded.length) {
    const ch = encoded[i] as string;
    if (isSafe(ch.charCodeAt(0))) {
      out += ch;
      i++;
      continue;
    }
    const run = runByLead.get(ch);
    if (!run) throw new Error(`not an encoded key: unexpected ${JSON.stringify(ch)} at ${i}`);
    if (i + run.width >= encoded.length) throw new Error(`not an encoded key: truncated at ${i}`);
    let offset = 0;
    for (let d = 1; d <= run.width; d++) {
      const digit = DIGITS.indexOf(encoded[i + d] ?? "");
      if (digit < 0) throw new Error(`not an encoded key: bad digit at ${i + d}`);
      offset = offset * 62 + digit;
    }
    const code = run.first + offset;
    if (code > run.last) throw new Error(`not an encoded key: offset out of range at ${i}`);
    out += String.fromCharCode(code);
    i += run.width + 1;
  }
  return out;
}

/** Encodes each part and joins them with KEY_SEPARATOR (tuple order is kept). */
export function joinKey(parts: readonly string[]): string {
  return parts.map(encodeKey).join(KEY_SEPARATOR);
}

export function splitKey(key: string): string[] {
  return key.split(KEY_SEPARATOR).map(decodeKey);
}

/**
 * The exclusive upper bound of the keys starting with `prefix` (an encoded, ASCII key): `ge prefix and lt
 * upper` selects exactly them.
 */
export function prefixUpperBound(prefix: string): string {
  if (prefix.length === 0) throw new Error("an empty prefix has no upper bound");
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}
