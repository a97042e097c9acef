// The connection's coordinates from the route: subscription, resource group, cluster, database, name.
import * as z from "zod/mini";
import { fail, ok, type Result } from "../../errors";
import type { ConnectionKey } from "../model";
import { routePatterns, routeRules } from "./names";
import { invalidRequest } from "./parseUpsertRequest";
import { toProblems } from "./problems";

const routeParam = (key: keyof typeof routePatterns) => z.string().check(z.regex(new RegExp(routePatterns[key]), { error: routeRules[key] }));

export const clusterRouteSchema = z.object({
  subscriptionId: routeParam("subscriptionId"),
  resourceGroup: routeParam("resourceGroup"),
  cluster: routeParam("cluster"),
});
export const databaseRouteSchema = z.object({ ...clusterRouteSchema.shape, database: routeParam("database") });
export const connectionRouteSchema = z.object({ ...databaseRouteSchema.shape, name: routeParam("name") });

/** Problems point at `/route/{param}` (not the body). */
export function parseConnectionKey(params: Readonly<Record<string, string | undefined>>): Result<ConnectionKey> {
  const parsed = connectionRouteSchema.safeParse(params);
  if (parsed.success) return ok(parsed.data);
  return fail(invalidRequest(toProblems(parsed.error.issues, params, { prefix: "/route" })));
}
