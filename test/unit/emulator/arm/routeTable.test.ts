import { describe, expect, it } from "vitest";
import type { ResourceProvider, RouteDefinition } from "../../../../emulator/arm/contract";
import { compileTemplate, createRouteTable, matchSegments, pathSegments } from "../../../../emulator/arm/routeTable";

const route = (method: RouteDefinition["method"], path: string): RouteDefinition => ({
  method,
  path,
  apiVersions: ["2022-04-01"],
  action: `${method} ${path}`,
  handler: () => ({ status: 200 }),
});

const kusto: ResourceProvider = {
  namespace: "Microsoft.Kusto",
  routes: [
    route("GET", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Kusto/clusters/{clusterName}"),
    route("PUT", "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Kusto/clusters/{clusterName}"),
  ],
};
const authorization: ResourceProvider = {
  namespace: "Microsoft.Authorization",
  routes: [
    route("GET", "{scope*}/providers/Microsoft.Authorization/roleAssignments"),
    route("GET", "{scope*}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}"),
    route("GET", "/providers/Microsoft.Authorization/roleAssignments"),
  ],
};
const generic: ResourceProvider = {
  namespace: "Microsoft.Resources",
  routes: [route("GET", "/subscriptions/{subscriptionId}/providers/{ns}/locations/{location}/operationResults/{operationId}")],
};
const specific: ResourceProvider = {
  namespace: "Microsoft.Kusto",
  routes: [route("GET", "/subscriptions/{subscriptionId}/providers/Microsoft.Kusto/locations/{location}/operationResults/{operationId}")],
};

describe("route templates", () => {
  it("match literal segments case-insensitively and keep the casing sent in params", () => {
    const table = createRouteTable([kusto]);
    const m = table.match("GET", "/SUBSCRIPTIONS/s1/resourcegroups/My-RG/providers/microsoft.kusto/Clusters/Adx");
    expect(m).toMatchObject({ kind: "matched", namespace: "Microsoft.Kusto", params: { subscriptionId: "s1", resourceGroupName: "My-RG", clusterName: "Adx" } });
  });

  it("ignore trailing and doubled slashes", () => {
    expect(pathSegments("//subscriptions//s1/")).toEqual(["subscriptions", "s1"]);
    const table = createRouteTable([kusto]);
    expect(table.match("GET", "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Kusto/clusters/c/").kind).toBe("matched");
  });

  it("bind {scope*} to a whole scope, including a resource's own providers segment", () => {
    const table = createRouteTable([authorization]);
    const scope = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.EventHub/namespaces/ns";
    const m = table.match("GET", `${scope}/providers/Microsoft.Authorization/roleAssignments/guid-1`);
    expect(m).toMatchObject({ kind: "matched", params: { scope, roleAssignmentName: "guid-1" } });
    const list = table.match("GET", "/subscriptions/s1/providers/Microsoft.Authorization/roleAssignments");
    expect(list).toMatchObject({ kind: "matched", params: { scope: "/subscriptions/s1" } });
  });

  it("need at least one segment for {scope*}: the tenant-level path is its own route", () => {
    expect(matchSegments(compileTemplate("{scope*}/providers/x"), ["providers", "x"])).toBeUndefined();
    const table = createRouteTable([authorization]);
    const m = table.match("GET", "/providers/Microsoft.Authorization/roleAssignments");
    expect(m.kind === "matched" && m.route.path).toBe("/providers/Microsoft.Authorization/roleAssignments");
  });

  it("prefer the most specific template when several match", () => {
    const table = createRouteTable([generic, specific]);
    const m = table.match("GET", "/subscriptions/s1/providers/Microsoft.Kusto/locations/westus/operationResults/op");
    expect(m.kind === "matched" && m.namespace).toBe("Microsoft.Kusto");
    const other = table.match("GET", "/subscriptions/s1/providers/Microsoft.EventHub/locations/westus/operationResults/op");
    expect(other).toMatchObject({ kind: "matched", namespace: "Microsoft.Resources", params: { ns: "Microsoft.EventHub" } });
  });

  it("say which methods exist when the path matches but the method does not", () => {
    const table = createRouteTable([kusto]);
    const m = table.match("DELETE", "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Kusto/clusters/c");
    expect(m.kind).toBe("methodNotAllowed");
    expect(m.kind === "methodNotAllowed" && m.allowed.sort()).toEqual(["GET", "PUT"]);
  });

  it("report unknown paths and know which namespaces exist", () => {
    const table = createRouteTable([kusto]);
    expect(table.match("GET", "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Kusto/pools/p").kind).toBe("notFound");
    expect(table.hasNamespace("microsoft.kusto")).toBe(true);
    expect(table.hasNamespace("Microsoft.Nope")).toBe(false);
  });
});
