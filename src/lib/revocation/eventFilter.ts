// What an event means, from infra/contract/eventFilter.json (the same file the event subscriptions filter
// with): the operations revocation acts on and their effect. Compared case-insensitively, as Event Grid does.
import contract from "../../../infra/contract/eventFilter.json";
import type { ResourceEvent } from "./model";

/** grant: a role assignment was deleted; source: a source resource was; cluster: a Kusto cluster or database was. */
export type OperationEffect = "grant" | "source" | "cluster";

const effects = new Map<string, OperationEffect>(
  contract.operations.map((o) => [o.operationName.toLowerCase(), o.effect as OperationEffect]),
);
const eventTypes = new Set(contract.eventTypes.map((t) => t.toLowerCase()));

/** The operation names acted on, as the contract spells them. */
export const actedOnOperations: readonly string[] = contract.operations.map((o) => o.operationName);

/** The effect of an operation name, or undefined when revocation ignores it. */
export function effectOf(operationName: string): OperationEffect | undefined {
  return effects.get(operationName.trim().toLowerCase());
}

/**
 * The effect of an event, or undefined when it is to be ignored: another event type, no Resources data, an
 * operation that did not succeed, or one the contract does not list.
 */
export function classifyEvent(event: ResourceEvent): OperationEffect | undefined {
  if (!eventTypes.has(event.type.toLowerCase()) || !event.data) return undefined;
  if (event.data.status !== undefined && event.data.status.toLowerCase() !== "succeeded") return undefined;
  return effectOf(event.data.operationName);
}
