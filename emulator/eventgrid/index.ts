// Event Grid: the Microsoft.EventGrid provider (system topics, event subscriptions, custom topics), the
// delivery engine for ARM's Resource*Success events, and the custom-topic data plane. See README.md.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ArmOperationRecord, ArmOperationSink, EmulatorContext, ResourceProvider, TokenService } from "../arm/contract";
import type { World } from "../world/world";
import { handleEventGridAdmin } from "./admin";
import type { PublishedEvent } from "./dataPlane";
import { handleTopicPublish } from "./dataPlane";
import type { DeliverySettings } from "./deliveryEngine";
import { DeliveryEngine } from "./deliveryEngine";
import { resolveTarget, toSubscriptionView } from "./eventSubscriptions";
import { toResourceEvent, toWire } from "./events";
import { matchesFilter } from "./filters";
import type { SubscriptionFilter } from "./filters";
import { createEventGridProvider, SYSTEM_TOPIC_TYPES } from "./provider";

export interface EventGridOptions {
  world: World;
  tokens: TokenService;
  clock: EmulatorContext["clock"];
  /** Origin (https://host:port) of the emulator's server, for custom-topic endpoints. */
  origin(): string;
  /** RBAC evaluator for the data plane's `Microsoft.EventGrid/events/send/action` check (bearer publishes are refused without it). */
  rbac?: EmulatorContext["rbac"];
  /** Extra CA certificates (PEM) trusted for https webhooks, such as the emulator's own CA. */
  ca?: string | string[];
  /** Randomness for duplicate/reorder injection (tests pass a seeded one). */
  random?: () => number;
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
  /** Resolves when no delivery is queued, in flight or waiting to be dead-lettered (tests). */
  whenIdle(timeoutInMs?: number): Promise<void>;
  /** Delivery settings (duplicate rate, reorder window, time-scale and timeout overrides). */
  settings(patch?: Partial<DeliverySettings>): DeliverySettings;
  /** Records for tests and the admin API. */
  deliveries: DeliveryEngine["deliveries"];
  deadLetters: DeliveryEngine["deadLetters"];
  published(topicName?: string): PublishedEvent[];
}

export function createEventGrid(options: EventGridOptions): EventGridService {
  const { world, tokens, clock } = options;
  const endpointUrls = new Map<string, string>();
  const published: PublishedEvent[] = [];
  const engine = new DeliveryEngine({
    now: () => clock.now(),
    timeScale: () => clock.timeScale(),
    ...(options.random ? { random: options.random } : {}),
    ...(options.ca ? { ca: options.ca } : {}),
    resolveSubscription: (id) => {
      const record = world.getResource(id);
      const state = (record?.body.properties as Record<string, unknown> | undefined)?.provisioningState;
      return record && state !== "Failed" ? toSubscriptionView(record) : undefined;
    },
    resolveTarget: (view) => resolveTarget({ world, tokens, endpointUrls }, view.id),
  });
  const { provider, topicKeys } = createEventGridProvider({ world, tokens, endpointUrls, engine, origin: options.origin, ...(options.ca ? { ca: options.ca } : {}) });

  const sink: ArmOperationSink = {
    publish(op: ArmOperationRecord): void {
      for (const topic of world.listByType("Microsoft.EventGrid/systemTopics")) {
        const source = topicSourceFor(topic.body.properties as Record<string, unknown>, op);
        if (!source) continue;
        const event = toResourceEvent(op, source);
        for (const sub of world.listChildren(topic.id, "eventSubscriptions")) {
          const props = sub.body.properties as Record<string, unknown>;
          if (props.provisioningState !== "Succeeded") continue;
          const view = toSubscriptionView(sub);
          if (matchesFilter(props.filter as SubscriptionFilter | undefined, toWire(event, view.schema))) engine.enqueue(sub.id, [event]);
        }
      }
    },
  };

  return {
    provider,
    sink,
    handleDataPlane: (req, res, body) =>
      handleTopicPublish({ world, tokens, rbac: options.rbac, topicKeys, now: () => clock.now(), store: (events) => published.push(...events) }, req, res, body),
    handleAdmin: (req, res, body) => handleEventGridAdmin({ engine, published: () => [...published], clearPublished: () => (published.length = 0) }, req, res, body),
    reset() {
      engine.clear();
      engine.resetSettings();
      endpointUrls.clear();
      published.length = 0;
    },
    close: async () => engine.close(),
    whenIdle: (timeoutInMs) => engine.whenIdle(timeoutInMs),
    settings: (patch) => (patch ? engine.updateSettings(patch) : engine.getSettings()),
    deliveries: (subscriptionId) => engine.deliveries(subscriptionId),
    deadLetters: () => engine.deadLetters(),
    published: (topicName) => published.filter((p) => !topicName || p.topicName.toLowerCase() === topicName.toLowerCase()),
  };
}

/** The topic (event `topic`/`source`) under which a system topic sees the operation, or undefined. */
function topicSourceFor(props: Record<string, unknown>, op: ArmOperationRecord): string | undefined {
  const type = String(props.topicType ?? "").toLowerCase();
  const source = String(props.source ?? "").toLowerCase();
  const subscription = `/subscriptions/${op.subscriptionId}`;
  if (type === SYSTEM_TOPIC_TYPES.subscriptions.toLowerCase()) return source === subscription.toLowerCase() ? subscription : undefined;
  if (type === SYSTEM_TOPIC_TYPES.resourceGroups.toLowerCase() && op.resourceGroup !== undefined) {
    const rg = `${subscription}/resourceGroups/${op.resourceGroup}`;
    return source === rg.toLowerCase() ? rg : undefined;
  }
  return undefined;
}
