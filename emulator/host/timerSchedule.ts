// Timer trigger schedules: 6-field NCRONTAB (croner, in UTC as the host's default) or a TimeSpan interval,
// after %SETTING% resolution.
import { Cron } from "croner";
import { resolveSettingExpression, type AppSettings } from "./appSettings";
import { parseTimeSpan } from "./timeSpan";

export interface TimerSchedule {
  kind: "cron" | "interval";
  /** The schedule after %SETTING% resolution. */
  expression: string;
  adjustForDST: boolean;
  /** The first occurrence strictly after `after`. */
  next(after: Date): Date;
}

export function createTimerSchedule(schedule: string, settings: AppSettings): TimerSchedule {
  const expression = resolveSettingExpression(schedule, settings).trim();
  const intervalInMs = parseTimeSpan(expression);
  if (intervalInMs !== undefined) {
    if (intervalInMs <= 0) throw new Error(`Timer schedule '${expression}': the interval must be positive.`);
    return { kind: "interval", expression, adjustForDST: false, next: (after) => new Date(after.getTime() + intervalInMs) };
  }
  const fields = expression.split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(`Timer schedule '${expression}' is neither a 6-field NCRONTAB expression nor a TimeSpan.`);
  }
  // NCRONTAB requires both day-of-month and day-of-week to match (unlike Vixie cron's OR).
  const cron = new Cron(expression, { paused: true, timezone: "Etc/UTC", mode: "6-part", domAndDow: true });
  return {
    kind: "cron",
    expression,
    adjustForDST: true,
    next(after) {
      const next = cron.nextRun(after);
      if (!next) throw new Error(`Timer schedule '${expression}' has no next occurrence.`);
      return next;
    },
  };
}
