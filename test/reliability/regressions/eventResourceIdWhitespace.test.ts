// Regression (found by test/reliability/fuzzEvents.test.ts): an event naming a role assignment that still exists,
// with a space after its ID, skipped the "is it really gone?" check. The scope was read from the trimmed ID but the
// live GET and the "still granted" comparison used the untrimmed one, found nothing, and the event went on to delete
// every connection under that scope whose principal lacked access for another reason — on the word of an event whose
// assignment was never deleted. The parser now trims resource IDs (src/lib/azure/eventGridEvents.ts).
import { beforeAll, describe, expect, it } from "vitest";
import type { ApiTokens } from "../../support/reliability/apiTokens";
import { assignments, createEventGridTokens, createEventsScene, eventGridEvent, resourceData, RESOURCE_DELETE_SUCCESS, ASSIGNMENT_DELETE } from "../../support/reliability/eventsHarness";
import { ids } from "../../unit/lib/revocation/revocationWorld";

describe("an event's resource ID with surrounding whitespace", () => {
  let tokens: ApiTokens;
  beforeAll(async () => {
    ({ api: tokens } = await createEventGridTokens());
  });

  for (const [name, pad] of [["a trailing space", (s: string) => `${s} `], ["a leading tab", (s: string) => `\t${s}`]] as const) {
    it(`is the assignment it names (${name}): still there, so nothing is deleted`, async () => {
      const scene = await createEventsScene(tokens);
      // The cluster identity's grant on the hub is gone (its own event is elsewhere); the app's grant on the
      // sources' resource group, which the event names, is not.
      scene.world.deleteAssignment(assignments.clusterOnHub);
      const uri = pad(assignments.appOnSources);
      const event = eventGridEvent({ id: "evt-ws", topic: `/subscriptions/${ids.subA}`, subject: uri, type: RESOURCE_DELETE_SUCCESS, data: resourceData({ operationName: ASSIGNMENT_DELETE, resourceUri: uri, tenantId: ids.tenantA }) });

      const outcome = await scene.trigger(event);

      expect(outcome?.status).toBe("stale");
      expect(scene.world.kusto.count("delete")).toBe(0);
      expect(scene.world.registry.all().filter((r) => r.status !== "Succeeded").map((r) => r.key.name)).toEqual([]);
    });
  }

  it("still lets the event for the assignment that did go delete what depended on it (the control)", async () => {
    const scene = await createEventsScene(tokens);
    scene.world.deleteAssignment(assignments.clusterOnHub);
    const uri = `${assignments.clusterOnHub} `;
    const event = eventGridEvent({ id: "evt-ctl", topic: `/subscriptions/${ids.subA}`, subject: uri, type: RESOURCE_DELETE_SUCCESS, data: resourceData({ operationName: ASSIGNMENT_DELETE, resourceUri: uri, tenantId: ids.tenantA }) });
    const outcome = await scene.trigger(event);
    expect(outcome?.status).toBe("processed");
    expect(outcome?.deleted.length).toBe(2); // mi-hub and mi-grid: the cluster identity's receive on the hub
    expect(scene.world.kusto.count("delete")).toBe(2);
  });
});
