// Logger backed by the Functions InvocationContext (structurally typed: src/lib never imports the runtime).
import type { LogFields, Logger } from "../logging/logger";

export interface InvocationLogSink {
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export function createInvocationLogger(context: InvocationLogSink): Logger {
  // One line per entry with the fields as JSON, so Application Insights keeps them together.
  const line = (message: string, fields?: LogFields) => (fields ? `${message} ${JSON.stringify(fields)}` : message);
  return {
    info: (message, fields) => context.info(line(message, fields)),
    warn: (message, fields) => context.warn(line(message, fields)),
    error: (message, fields) => context.error(line(message, fields)),
  };
}
