// The host's structured log: one JSON object per line (time, level, category, functionName, invocationId, message),
// to a file or stdout, so tests and `npm start` can read what the app logged.
import { appendFileSync } from "node:fs";
import type { RpcLogCategory, RpcLogLevel } from "./coreTypes";

export interface HostLogEntry {
  level: RpcLogLevel;
  category: RpcLogCategory;
  message: string;
  functionName?: string;
  invocationId?: string;
}

export interface HostLogger {
  log(entry: HostLogEntry): void;
  system(level: RpcLogLevel, message: string, fields?: Omit<HostLogEntry, "level" | "category" | "message">): void;
}

export function createHostLogger(options: { logFile?: string }): HostLogger {
  const write = (line: string): void => {
    if (options.logFile) appendFileSync(options.logFile, line);
    else process.stdout.write(line);
  };
  const logger: HostLogger = {
    log(entry) {
      if (entry.level === "none") return;
      write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
    },
    system(level, message, fields) {
      logger.log({ level, category: "system", message, ...fields });
    },
  };
  return logger;
}
