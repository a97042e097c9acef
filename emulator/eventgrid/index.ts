// Event Grid: the Microsoft.EventGrid provider (system topics, event subscriptions, custom topics), the
// delivery engine for ARM's Resource*Success events, and the custom-topic data plane.
// (Stub: the interface the ARM server wires; the implementation replaces the body of createEventGrid.)
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ArmOperationSink, EmulatorContext, ResourceProvider, TokenService } from "../arm/contract";
import type { World } from "../world/world";

export interface EventGridOptions {
  world: World;
  tokens: TokenService;
  clock: EmulatorContext["clock"];
  /** Origin (https://host:port) of the emulator's server, for custom-topic endpoints. */
  origin(): string;
}

export interface EventGridService {
  /** Microsoft.EventGrid routes: systemTopics, systemTopics/eventSubscriptions, topics. */
  provider: ResourceProvider;
  /** The ARM front door publishes every successful mutating request here. */
  sink: ArmOperationSink;
  /** Serves custom-topic publishes (EventGridPublisherClient); resolves false when the path is not one. */
  handleDataPlane(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<boolean>;
  /** Admin API: GET /__admin/eventgrid/{what}, POST /__admin/eventgrid/settings. Resolves false when not its path. */
  handleAdmin(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<boolean>;
  reset(): void;
  close(): Promise<void>;
}

export function createEventGrid(_options: EventGridOptions): EventGridService {
  return {
    provider: { namespace: "Microsoft.EventGrid", routes: [] },
    sink: { publish() {} },
    handleDataPlane: async () => false,
    handleAdmin: async () => false,
    reset() {},
    close: async () => {},
  };
}
