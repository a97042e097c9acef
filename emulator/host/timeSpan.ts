// .NET TimeSpan strings ("[d.]hh:mm[:ss[.fffffff]]"), as host.json and timer schedules write durations.

const timeSpanPattern = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/;

/** Milliseconds of a TimeSpan string, or undefined when the text is not one. */
export function parseTimeSpan(text: string): number | undefined {
  const m = timeSpanPattern.exec(text.trim());
  if (!m) return undefined;
  const [, sign, days, hours, minutes, seconds, fraction] = m;
  const h = Number(hours);
  const min = Number(minutes);
  const s = Number(seconds ?? 0);
  if (h > 23 || min > 59 || s > 59) return undefined;
  const ms = Number(`0.${fraction ?? "0"}`) * 1000;
  const total = ((Number(days ?? 0) * 24 + h) * 60 + min) * 60_000 + s * 1000 + ms;
  return sign ? -total : total;
}

/** host.json durations: a TimeSpan string, or a number of milliseconds. */
export function toDurationInMs(value: unknown, fallbackInMs: number): number {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string") {
    const parsed = parseTimeSpan(value);
    if (parsed !== undefined) return parsed;
    throw new Error(`Invalid TimeSpan '${value}' in host.json.`);
  }
  return fallbackInMs;
}
