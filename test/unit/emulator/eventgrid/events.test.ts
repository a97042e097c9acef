// The Resource*Success events the emulator builds, compared field by field with Microsoft's samples
// (shared/reference/eventgrid) and read back by @azure/eventgrid's deserializer.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EventGridDeserializer, isSystemEvent } from "@azure/eventgrid";
import type { ArmOperationRecord } from "../../../../emulator/arm/contract";
import { toCloudEvent, toEventGridSchema, toResourceEvent } from "../../../../emulator/eventgrid/events";

// Copies of shared/reference/eventgrid (see reference/README.md for their sources).
const REF = `${__dirname}/reference`;
const sample = (file: string): Record<string, unknown> => (JSON.parse(readFileSync(`${REF}/${file}`, "utf8")) as Record<string, unknown>[])[0] as Record<string, unknown>;

const SUB = "5b4b650e-28b9-4790-b3ab-ddbd88d727c4";
const uri = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/st1`;
const op: ArmOperationRecord = {
  eventType: "Microsoft.Resources.ResourceDeleteSuccess",
  resourceUri: uri,
  operationName: "Microsoft.Storage/storageAccounts/delete",
  resourceProvider: "Microsoft.Storage",
  subscriptionId: SUB,
  resourceGroup: "rg1",
  tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  caller: { tenantId: "t", objectId: "o", appId: "a", claims: { aud: "https://management.azure.com/", appid: "a", ver: "1.0" } },
  authorization: { scope: uri, action: "Microsoft.Storage/storageAccounts/delete", evidence: { role: "Subscription Admin" } },
  correlationId: "c0ffee00-0000-4000-8000-000000000000",
  httpRequest: { clientRequestId: "r", clientIpAddress: "127.0.0.1", method: "DELETE", url: `https://management.azure.com${uri}?api-version=2023-01-01` },
  time: new Date("2025-01-02T03:04:05.678Z"),
};

describe("Resource*Success events", () => {
  it("have exactly the reference sample's top-level fields, in its order (Event Grid schema)", () => {
    const reference = sample("ResourceDeleteSuccess.subscription.eventgridschema.json");
    const event = toEventGridSchema(toResourceEvent(op, `/subscriptions/${SUB}`));
    expect(Object.keys(event)).toEqual(Object.keys(reference));
    expect(event).toMatchObject({ subject: uri, eventType: "Microsoft.Resources.ResourceDeleteSuccess", eventTime: "2025-01-02T03:04:05.678Z", dataVersion: "2", metadataVersion: "1", topic: `/subscriptions/${SUB}` });
  });

  it("carry the reference data properties in order, plus the SDK's resourceGroup", () => {
    const reference = sample("ResourceDeleteSuccess.subscription.eventgridschema.json").data as Record<string, unknown>;
    const data = toEventGridSchema(toResourceEvent(op, `/subscriptions/${SUB}`)).data as Record<string, unknown>;
    expect(Object.keys(data)).toEqual([...Object.keys(reference), "resourceGroup"]);
    expect(Object.keys(data.authorization as object)).toEqual(Object.keys(reference.authorization as object));
    expect(Object.keys(data.httpRequest as object)).toEqual(Object.keys(reference.httpRequest as object));
    expect(data).toMatchObject({ status: "Succeeded", resourceUri: uri, operationName: op.operationName, subscriptionId: SUB, tenantId: op.tenantId, resourceGroup: "rg1", correlationId: op.correlationId, claims: op.caller.claims });
    expect(data.subject).toBeUndefined();
  });

  it("name the resource group topic for a resource-group system topic", () => {
    const reference = sample("ResourceDeleteSuccess.resourcegroup.eventgridschema.json");
    const event = toEventGridSchema(toResourceEvent(op, `/subscriptions/${SUB}/resourceGroups/rg1`));
    expect(String(event.topic)).toMatch(/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/);
    expect(Object.keys(event)).toEqual(Object.keys(reference));
  });

  it("omit resourceGroup for subscription-level operations", () => {
    const data = toResourceEvent({ ...op, resourceGroup: undefined }, `/subscriptions/${SUB}`).data;
    expect("resourceGroup" in data).toBe(false);
  });

  it("render as CloudEvents 1.0 with the reference sample's fields and no data/metadata versions", () => {
    const reference = sample("ResourceDeleteSuccess.subscription.cloudevents.json");
    const event = toCloudEvent(toResourceEvent(op, `/subscriptions/${SUB}`));
    expect(Object.keys(event)).toEqual(Object.keys(reference));
    expect(event).toMatchObject({ source: `/subscriptions/${SUB}`, type: op.eventType, specversion: "1.0", subject: uri });
  });

  it("are accepted by EventGridDeserializer and recognised by isSystemEvent in both schemas", async () => {
    const neutral = toResourceEvent(op, `/subscriptions/${SUB}`);
    const deserializer = new EventGridDeserializer();
    const [eg] = await deserializer.deserializeEventGridEvents(JSON.stringify([toEventGridSchema(neutral)]));
    const [ce] = await deserializer.deserializeCloudEvents(JSON.stringify([toCloudEvent(neutral)]));
    if (!eg || !isSystemEvent("Microsoft.Resources.ResourceDeleteSuccess", eg)) throw new Error("Event Grid event not recognised");
    if (!ce || !isSystemEvent("Microsoft.Resources.ResourceDeleteSuccess", ce)) throw new Error("CloudEvent not recognised");
    expect(eg.data.resourceUri).toBe(uri);
    expect(ce.data?.operationName).toBe(op.operationName);
    expect(eg.id).toBe(ce.id);
  });
});
