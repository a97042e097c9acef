// A revocation scene per test over the reliability app: a fresh event hub whose only grant to the cluster's
// identity is deleted ("revoked": its connection must go), and a hub granted twice where one grant is deleted
// ("kept": its principal still has access, so it must never be deleted); the Resource events ARM would emit,
// and a deliverer that redelivers as Event Grid does until the event is handled.
import { randomUUID } from "node:crypto";
import type { ConnectionKey } from "../../../src/lib/connections/model";
import type { RevocationHandler, EventOutcome } from "../../../src/lib/revocation/handleResourceEvent";
import type { ResourceEvent } from "../../../src/lib/revocation/model";
import { adminOf, loggedRequests, mintToken } from "../emulatorAdmin";
import { httpsJson } from "../httpsJson";
import { settle } from "./pipeline";
import type { ReliabilityApp } from "./reliabilityApp";

const receiverRole = "a638d3c7-ab3a-418d-83e6-5f17a39d4fde";
const ownerRole = "f526a384-b230-433a-b45c-95f59c4a2dec";

export interface Scene {
  revokedName: string;
  keptName: string;
  /** The revoked connection's only assignment, deleted in ARM. */
  revokedAssignment: string;
  /** The kept connection's Receiver assignment, deleted in ARM (its Data Owner assignment stays). */
  keptAssignment: string;
}

export function revocationWorld(app: ReliabilityApp) {
  const m = app.meta;
  let aliceToken: string | undefined;
  const alice = async () => (aliceToken ??= await mintToken(adminOf(app.stack), m.adminUserObjectId!, "https://management.azure.com/"));
  const arm = async (method: string, path: string, body?: unknown, apiVersion = "2022-04-01") => {
    const res = await httpsJson(`${app.stack.armEndpoint}${path}?api-version=${apiVersion}`, { ca: app.stack.emulator.caPem, method, token: await alice(), ...(body === undefined ? {} : { body }) });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };
  const hubId = (name: string) => `${m.eventHubNamespaceResourceId}/eventhubs/${name}`;
  async function assign(scope: string, role: string): Promise<string> {
    const id = `${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`;
    await arm("PUT", id, { properties: { roleDefinitionId: `/subscriptions/${m.kustoSubscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`, principalId: m.kustoClusterPrincipalId } });
    return id;
  }
  async function hubWithConnection(name: string, roles: string[]): Promise<string[]> {
    await arm("PUT", hubId(name), { properties: {} }, "2024-01-01");
    await arm("PUT", `${hubId(name)}/consumergroups/adx`, { properties: {} }, "2024-01-01");
    const assignments: string[] = [];
    for (const role of roles) assignments.push(await assign(hubId(name), role));
    const params = { subscriptionId: m.kustoSubscriptionId!, resourceGroup: m.kustoResourceGroup!, cluster: m.kustoClusterName!, database: "telemetry", name };
    const created = await settle(
      app.handlers.upsert,
      {
        method: "PUT",
        path: `/api/connections/${params.subscriptionId}/${params.resourceGroup}/${params.cluster}/telemetry/${name}`,
        params,
        token: app.writerToken,
        json: {
          kind: "EventHub",
          location: m.location,
          properties: { eventHubResourceId: hubId(name), consumerGroup: "adx", tableName: "Events", dataFormat: "JSON", managedIdentityResourceId: m.kustoClusterResourceId },
        },
      },
      { getOperation: app.handlers.getOperation, token: app.writerToken },
    );
    if (created.final.status !== 201) throw new Error(`creating ${name}: ${created.trail.join(", ")} ${created.final.text}`);
    return assignments;
  }

  return {
    key: (name: string): ConnectionKey => app.key(name),
    /** Two connections on fresh hubs; both events' assignments are then deleted in ARM. */
    async scene(prefix: string): Promise<Scene> {
      const revokedName = `${prefix}-rv`;
      const keptName = `${prefix}-kp`;
      const [revokedAssignment] = await hubWithConnection(revokedName, [receiverRole]);
      const [keptAssignment] = await hubWithConnection(keptName, [receiverRole, ownerRole]);
      await arm("DELETE", revokedAssignment!);
      await arm("DELETE", keptAssignment!);
      return { revokedName, keptName, revokedAssignment: revokedAssignment!, keptAssignment: keptAssignment! };
    },
    /** The ResourceDeleteSuccess event ARM emits for a deleted assignment (the parser's output). */
    assignmentDeleted(assignmentId: string, id: string = randomUUID()): ResourceEvent {
      return {
        id,
        type: "Microsoft.Resources.ResourceDeleteSuccess",
        topic: `/subscriptions/${m.kustoSubscriptionId}`,
        subject: assignmentId,
        time: new Date().toISOString(),
        schema: "EventGrid",
        data: {
          operationName: "Microsoft.Authorization/roleAssignments/delete",
          resourceUri: assignmentId,
          tenantId: m.kustoTenantId!,
          subscriptionId: m.kustoSubscriptionId!,
          correlationId: randomUUID(),
          status: "Succeeded",
          actor: { objectId: m.adminUserObjectId! },
        },
      };
    },
    /** ARM DELETE requests the emulator logged for a connection (all answers), and the successful ones. */
    async armDeletes(name: string): Promise<{ sent: number; accepted: number }> {
      const requests = (await loggedRequests(adminOf(app.stack), { path: `/dataConnections/${name}`, method: "DELETE" })).filter((r) => r.path.endsWith(`/dataConnections/${name}`) || r.path.includes(`/dataConnections/${name}?`));
      // Injected faults (resets, 5xx, 429) are logged too: accepted = a 2xx the emulator itself answered.
      return { sent: requests.length, accepted: requests.filter((r) => r.status >= 200 && r.status < 300 && !(r as { fault?: unknown }).fault).length };
    },
  };
}

export interface Delivered {
  outcome: EventOutcome;
  /** Deliveries until the handler answered success (1 = no redelivery). */
  deliveries: number;
  /** What each delivery ended with: the outcome's status, or the error's code. */
  trail: string[];
  timeInMs: number;
}

export interface DeliverOptions {
  maxDeliveries?: number;
  /** Pause between redeliveries (Event Grid's schedule, scaled down). */
  pauseInMs?: number;
  /** Called after each failed delivery (e.g. to revive a crashed host or end an outage). */
  onFailure?: (error: unknown, delivery: number) => void;
}

/**
 * Event Grid's at-least-once delivery: a delivery that throws (the host answers 500) is redelivered, as is one
 * answered while another invocation holds the event (EventInProgress), until one succeeds.
 */
export async function deliver(handler: RevocationHandler, event: ResourceEvent, options: DeliverOptions = {}): Promise<Delivered> {
  const started = performance.now();
  const trail: string[] = [];
  const max = options.maxDeliveries ?? 20;
  for (let delivery = 1; delivery <= max; delivery++) {
    try {
      const outcome = await handler.handle(structuredClone(event));
      trail.push(outcome.status);
      return { outcome, deliveries: delivery, trail, timeInMs: Math.round(performance.now() - started) };
    } catch (error) {
      trail.push(codeOf(error));
      options.onFailure?.(error, delivery);
      await new Promise((r) => setTimeout(r, options.pauseInMs ?? 50));
    }
  }
  throw new Error(`event ${event.id} not handled after ${max} deliveries: ${trail.join(", ")}`);
}

export function codeOf(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && typeof error.code === "string") return error.code;
  return error instanceof Error ? error.name : "Unknown";
}
