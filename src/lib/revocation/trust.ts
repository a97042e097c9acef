// Which events are trusted enough to be acted on (after which every action is still confirmed live):
// - the Event Grid trigger (the Kusto side's system topic, reached only with the host's eventgrid_extension
//   key): events of the app's own tenant, or of an allowed source;
// - the webhook /api/events (other tenants' system topics, Entra token of Event Grid's first-party app):
//   only events whose topic *and* tenant are an allowed source (EVENTS_ALLOWED_SOURCES).
// Either way the subject must lie under the topic: a subscription's system topic only reports its own resources.
import type { EventSource } from "../config/settings";
import type { ResourceEvent } from "./model";
import { isAtOrUnder } from "./scopes";

export type EventIngress = "trigger" | "webhook";

export interface TrustOptions {
  appTenantId: string | undefined;
  allowedSources: readonly EventSource[];
}

const same = (a: string | undefined, b: string | undefined) => !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();

/** Is this topic (any tenant) one the webhook accepts? Used for the validation handshake, which has no tenant. */
export function isAllowedTopic(topic: string, options: TrustOptions): boolean {
  return options.allowedSources.some((s) => same(s.topic, topic));
}

/** Undefined when trusted; otherwise why not (for the log and the 403). */
export function untrustedReason(event: ResourceEvent, ingress: EventIngress, options: TrustOptions): string | undefined {
  const tenantId = event.data?.tenantId;
  if (event.data && !isAtOrUnder(event.data.resourceUri, event.topic)) return `the event's resource is not under its topic ${event.topic}`;
  const allowed = options.allowedSources.some((s) => same(s.topic, event.topic) && (!event.data || same(s.tenantId, tenantId)));
  if (allowed) return undefined;
  if (ingress === "trigger" && (!event.data || same(options.appTenantId, tenantId))) return undefined;
  return ingress === "trigger"
    ? `events of tenant ${tenantId ?? "(none)"} are neither the app's tenant nor an allowed source`
    : `topic ${event.topic} of tenant ${tenantId ?? "(none)"} is not an allowed event source (EVENTS_ALLOWED_SOURCES)`;
}
