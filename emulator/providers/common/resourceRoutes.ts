// Plain CRUD routes for the source providers' resources (Event Hubs, IoT hubs, storage, Cosmos DB): enough
// to seed, read and delete them through ARM. Writes complete synchronously (200/201); deletes cascade
// through World.deleteResource.
import type { ArmRequest, EmulatorContext, RouteDefinition } from "../../arm/contract";
import { ArmError } from "../../arm/contract";
import type { World } from "../../world/world";
import { invalidRequestContent, parentResourceNotFound, resourceGroupNotFound, resourceNotFound } from "./errors";

export interface ResourceLevel {
  /** Collection segment in its canonical casing, e.g. "eventhubs". */
  collection: string;
  /** Route parameter holding this level's name, e.g. "eventHubName". */
  param: string;
}

export interface ResourceTypeOptions {
  namespace: string;
  levels: ResourceLevel[];
  /** `type` in response bodies, e.g. "Microsoft.EventHub/namespaces/eventhubs". */
  type: string;
  /** RBAC action prefix; "/read", "/write", "/delete" are appended. */
  actionPrefix: string;
  apiVersions: readonly string[];
  /** Tracked (top-level) resources carry location and tags, require location and are listable by subscription. */
  tracked: boolean;
  /** Top-level body fields copied from the request when present (sku, kind, identity...). */
  passThrough?: string[];
  /** Stored `properties` from the request's: defaults and read-only values added. */
  toProperties?(input: Record<string, unknown>, info: { id: string; name: string; existing: Record<string, unknown> | undefined }): Record<string, unknown>;
  /** Runs after a PUT stored the resource (e.g. to create implicit children). */
  afterWrite?(world: World, body: Record<string, unknown>, created: boolean): void;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Route template of the resource collection (without the last name) and of one resource. */
export function resourcePaths(options: Pick<ResourceTypeOptions, "namespace" | "levels">): { collection: string; item: string } {
  let path = `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${options.namespace}`;
  let collection = "";
  for (const level of options.levels) {
    collection = `${path}/${level.collection}`;
    path = `${collection}/{${level.param}}`;
  }
  return { collection, item: path };
}

/** The resource ID in canonical casing from a request's parameters (`depth` levels deep; default all). */
export function resourceIdFrom(req: ArmRequest, options: Pick<ResourceTypeOptions, "namespace" | "levels">, depth = options.levels.length): string {
  let id = `/subscriptions/${req.params.subscriptionId}/resourceGroups/${req.params.resourceGroupName}/providers/${options.namespace}`;
  for (const level of options.levels.slice(0, depth)) id += `/${level.collection}/${req.params[level.param] ?? ""}`;
  return id;
}

/** GET list, GET, PUT and DELETE for one resource type (plus list by subscription for tracked types). */
export function resourceRoutes(options: ResourceTypeOptions): RouteDefinition[] {
  const paths = resourcePaths(options);
  const lastParam = options.levels[options.levels.length - 1]?.param ?? "";
  const read = `${options.actionPrefix}/read`;
  const routes: RouteDefinition[] = [
    {
      method: "GET",
      path: paths.collection,
      apiVersions: options.apiVersions,
      action: read,
      handler(req, ctx) {
        const parentId = resourceIdFrom(req, options, options.levels.length - 1);
        assertParentExists(ctx, req, parentId, options.levels.length > 1);
        const last = options.levels[options.levels.length - 1] as ResourceLevel;
        const records = options.levels.length > 1 ? ctx.world.listChildren(parentId, last.collection) : ctx.world.listByType(options.type, parentId);
        return { status: 200, body: { value: records.map((r) => r.body) } };
      },
    },
    {
      method: "GET",
      path: paths.item,
      apiVersions: options.apiVersions,
      action: read,
      handler(req, ctx) {
        const id = resourceIdFrom(req, options);
        const record = ctx.world.getResource(id);
        if (!record) throw resourceNotFound(options.type, req.params[lastParam] ?? "", req.params.resourceGroupName);
        return { status: 200, body: record.body };
      },
    },
    {
      method: "PUT",
      path: paths.item,
      apiVersions: options.apiVersions,
      action: `${options.actionPrefix}/write`,
      handler(req, ctx) {
        const id = resourceIdFrom(req, options);
        const name = req.params[lastParam] ?? "";
        if (!isRecord(req.body)) throw invalidRequestContent("The request content was invalid and could not be deserialized: a JSON object is required.");
        assertParentExists(ctx, req, resourceIdFrom(req, options, options.levels.length - 1), options.levels.length > 1);
        const existing = ctx.world.getResource(id)?.body;
        const input = req.body;
        const body: Record<string, unknown> = { id, name, type: options.type };
        if (options.tracked) {
          if (typeof input.location !== "string" || input.location === "") {
            throw new ArmError(400, "LocationRequired", "The location property is required for this definition.");
          }
          body.location = input.location;
          body.tags = isRecord(input.tags) ? input.tags : {};
        }
        for (const field of options.passThrough ?? []) if (input[field] !== undefined) body[field] = input[field];
        const properties = isRecord(input.properties) ? input.properties : {};
        body.properties = {
          ...(options.toProperties ? options.toProperties(properties, { id, name, existing }) : properties),
          provisioningState: "Succeeded",
        };
        ctx.world.putResource(body);
        options.afterWrite?.(ctx.world, body, existing === undefined);
        return { status: existing ? 200 : 201, body };
      },
    },
    {
      method: "DELETE",
      path: paths.item,
      apiVersions: options.apiVersions,
      action: `${options.actionPrefix}/delete`,
      handler(req, ctx) {
        const removed = ctx.world.deleteResource(resourceIdFrom(req, options));
        return { status: removed.length > 0 ? 200 : 204 };
      },
    },
  ];
  if (options.tracked) {
    routes.push({
      method: "GET",
      path: `/subscriptions/{subscriptionId}/providers/${options.namespace}/${options.levels[0]?.collection ?? ""}`,
      apiVersions: options.apiVersions,
      action: read,
      handler(req, ctx) {
        const records = ctx.world.listByType(options.type, `/subscriptions/${req.params.subscriptionId}`);
        return { status: 200, body: { value: records.map((r) => r.body) } };
      },
    });
  }
  return routes;
}

function assertParentExists(ctx: EmulatorContext, req: ArmRequest, parentId: string, nested: boolean): void {
  const groupId = `/subscriptions/${req.params.subscriptionId}/resourceGroups/${req.params.resourceGroupName}`;
  if (!ctx.world.getResource(groupId)) throw resourceGroupNotFound(req.params.resourceGroupName ?? "");
  if (nested && !ctx.world.getResource(parentId)) throw parentResourceNotFound(parentId);
}
