// ARM resource-ID grammar: enough to derive subscription, resource group, type and parent of any ID.

export interface ParsedResourceId {
  subscriptionId: string | undefined;
  resourceGroup: string | undefined;
  /** e.g. "Microsoft.EventHub/namespaces/eventhubs"; "Microsoft.Resources/resourceGroups" for a group. */
  type: string;
  name: string;
  /** Provider namespace of the (innermost) resource, e.g. "Microsoft.Kusto". */
  namespace: string;
}

/** Lower-cased, no trailing slash: the key resources are stored under (ARM IDs are case-insensitive). */
export function resourceKey(id: string): string {
  return id.replace(/\/+$/, "").toLowerCase();
}

export function parseResourceId(id: string): ParsedResourceId {
  const segments = id.replace(/^\/+|\/+$/g, "").split("/");
  let subscriptionId: string | undefined;
  let resourceGroup: string | undefined;
  if (segments[0]?.toLowerCase() === "subscriptions") subscriptionId = segments[1];
  if (segments[2]?.toLowerCase() === "resourcegroups") resourceGroup = segments[3];
  const lastProviders = segments.map((s) => s.toLowerCase()).lastIndexOf("providers");
  if (lastProviders < 0) {
    if (resourceGroup && segments.length === 4) {
      return { subscriptionId, resourceGroup, type: "Microsoft.Resources/resourceGroups", name: resourceGroup, namespace: "Microsoft.Resources" };
    }
    if (subscriptionId && segments.length === 2) {
      return { subscriptionId, resourceGroup, type: "Microsoft.Resources/subscriptions", name: subscriptionId, namespace: "Microsoft.Resources" };
    }
    throw new Error(`Not a resource ID: ${id}`);
  }
  const namespace = segments[lastProviders + 1];
  const rest = segments.slice(lastProviders + 2);
  if (!namespace || rest.length < 2 || rest.length % 2 !== 0) throw new Error(`Not a resource ID: ${id}`);
  const types: string[] = [];
  for (let i = 0; i < rest.length; i += 2) types.push(rest[i] as string);
  return { subscriptionId, resourceGroup, type: `${namespace}/${types.join("/")}`, name: rest[rest.length - 1] as string, namespace };
}

/** The scopes an assignment at any of them applies to `scope`: itself and every ancestor up to "/". */
export function ancestorScopes(scope: string): string[] {
  const segments = scope.replace(/^\/+|\/+$/g, "").split("/");
  const out: string[] = [];
  for (let n = segments.length; n > 0; n--) {
    const candidate = "/" + segments.slice(0, n).join("/");
    // Only resource boundaries are scopes: skip ".../providers" and ".../providers/Namespace" prefixes, and
    // type-only prefixes such as "/subscriptions" or ".../eventhubs".
    if (isScopeBoundary(segments.slice(0, n))) out.push(candidate);
  }
  out.push("/");
  return out;
}

function isScopeBoundary(segments: string[]): boolean {
  const lower = segments.map((s) => s.toLowerCase());
  const providers = lower.lastIndexOf("providers");
  if (providers < 0) {
    // /subscriptions/{s}, /subscriptions/{s}/resourceGroups/{rg}, /providers/... handled below
    return segments.length === 2 || segments.length === 4;
  }
  const after = segments.length - providers - 1; // namespace + type/name pairs
  if (providers === 0 && lower[1] === "microsoft.management") {
    // /providers/Microsoft.Management/managementGroups/{mg}
    return after === 3;
  }
  return after >= 3 && (after - 1) % 2 === 0;
}
