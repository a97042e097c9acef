// The contract between startHost (parent) and main.ts (the host child process): options and IPC messages.

export const hostOptionsVariable = "LOCAL_FUNCTIONS_HOST_OPTIONS";

export interface HostProcessOptions {
  appRoot: string;
  port: number;
  logFile?: string;
}

export type HostProcessMessage = { type: "ready"; port: number } | { type: "failed"; message: string } | { type: "stopped" };
