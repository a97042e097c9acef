// The query of GET /api/connections: filters (subscriptionId, resourceGroup, cluster, database, status) and
// paging. Unknown parameters are ignored (the Functions front end adds its own, such as `code`).
import * as z from "zod/mini";
import { routePatterns, routeRules } from "../connections/schema/names";
import { toProblems } from "../connections/schema/problems";
import type { ListConnectionsFilter } from "../connections/ports";
import { fail, ok, type Problem, type Result } from "../errors";
import { parsePageQuery, type PageRequest } from "./pageQuery";

const filter = (key: keyof typeof routePatterns) => z.optional(z.string().check(z.regex(new RegExp(routePatterns[key]), { error: routeRules[key] })));

export const listQuerySchema = z.object({
  subscriptionId: filter("subscriptionId"),
  resourceGroup: filter("resourceGroup"),
  cluster: filter("cluster"),
  database: filter("database"),
  status: z.optional(z.enum(["Provisioning", "Succeeded", "Failed", "Deleting", "Deleted"], { error: "must be one of: Provisioning, Succeeded, Failed, Deleting, Deleted" })),
});

export function parseListQuery(query: URLSearchParams): Result<{ filter: ListConnectionsFilter; page: PageRequest }, Problem[]> {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(listQuerySchema.shape)) {
    const value = query.get(key);
    if (value !== null) raw[key] = value;
  }
  const parsed = listQuerySchema.safeParse(raw);
  const page = parsePageQuery(query);
  const problems = [...(parsed.success ? [] : toProblems(parsed.error.issues, raw, { prefix: "/query" })), ...(page.ok ? [] : page.error)];
  if (!parsed.success || !page.ok) return fail(problems);
  const f: ListConnectionsFilter = {};
  for (const [key, value] of Object.entries(parsed.data)) if (value !== undefined) (f as Record<string, string>)[key] = value;
  return ok({ filter: f, page: page.value });
}
