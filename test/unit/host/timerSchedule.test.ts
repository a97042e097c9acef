import { describe, expect, it } from "vitest";
import { createTimerSchedule } from "../../../emulator/host/timerSchedule";
import { parseTimeSpan } from "../../../emulator/host/timeSpan";
import { toTimerPayload } from "../../../emulator/host/timerTriggers";

const at = (iso: string) => new Date(iso);

describe("timer schedules", () => {
  it("computes the next 6-field NCRONTAB occurrence in UTC", () => {
    const schedule = createTimerSchedule("0 */5 * * * *", {});
    expect(schedule.next(at("2026-03-01T10:02:30Z")).toISOString()).toBe("2026-03-01T10:05:00.000Z");
    expect(schedule.next(at("2026-03-01T10:05:00Z")).toISOString()).toBe("2026-03-01T10:10:00.000Z");
  });

  it("honours seconds", () => {
    expect(createTimerSchedule("*/10 * * * * *", {}).next(at("2026-03-01T10:00:01Z")).toISOString()).toBe("2026-03-01T10:00:10.000Z");
  });

  it("resolves %SETTING% expressions from the app settings", () => {
    const schedule = createTimerSchedule("%AUDIT_SCHEDULE%", { AUDIT_SCHEDULE: "0 30 2 * * *" });
    expect(schedule.expression).toBe("0 30 2 * * *");
    expect(schedule.next(at("2026-03-01T10:00:00Z")).toISOString()).toBe("2026-03-02T02:30:00.000Z");
  });

  it("fails clearly when the setting is missing", () => {
    expect(() => createTimerSchedule("%AUDIT_SCHEDULE%", {})).toThrow(/AUDIT_SCHEDULE/);
  });

  it("requires day-of-month and day-of-week to both match, as NCRONTAB does", () => {
    // Friday the 13th: 2026-01-02 is a Friday (would match with cron's OR), 2026-02-13 is the first Friday the 13th.
    expect(createTimerSchedule("0 0 0 13 * 5", {}).next(at("2026-01-01T00:00:00Z")).toISOString()).toBe("2026-02-13T00:00:00.000Z");
  });

  it("accepts the TimeSpan form as a fixed interval", () => {
    const schedule = createTimerSchedule("00:00:10", {});
    expect(schedule.kind).toBe("interval");
    expect(schedule.next(at("2026-03-01T10:00:01Z")).toISOString()).toBe("2026-03-01T10:00:11.000Z");
  });

  it("rejects 5-field cron expressions, which the host does not accept", () => {
    expect(() => createTimerSchedule("*/5 * * * *", {})).toThrow(/6-field/);
  });
});

describe("TimeSpan parsing", () => {
  it("reads hours, minutes, seconds, fractions and days", () => {
    expect(parseTimeSpan("00:00:02")).toBe(2000);
    expect(parseTimeSpan("00:00:00.250")).toBe(250);
    expect(parseTimeSpan("01:02:03")).toBe(3_723_000);
    expect(parseTimeSpan("1.00:00:00")).toBe(86_400_000);
    expect(parseTimeSpan("00:61:00")).toBeUndefined();
    expect(parseTimeSpan("soon")).toBeUndefined();
  });
});

describe("timer payload", () => {
  it("is the host's PascalCase TimerInfo JSON", () => {
    const payload = toTimerPayload({ next: at("2026-03-01T10:05:00Z"), isPastDue: false, adjustForDST: true, now: at("2026-03-01T10:00:00Z") });
    expect(JSON.parse(payload.json ?? "")).toEqual({
      Schedule: { AdjustForDST: true },
      ScheduleStatus: { Last: "0001-01-01T00:00:00", Next: "2026-03-01T10:05:00.000Z", LastUpdated: "2026-03-01T10:00:00.000Z" },
      IsPastDue: false,
    });
  });
});
