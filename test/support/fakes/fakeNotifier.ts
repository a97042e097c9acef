// Notifier that records what it was asked to publish; `failing` makes publishes report not delivered.
import type { ConnectionEvent, Notifier } from "../../../src/lib/connections/ports";

export interface FakeNotifier extends Notifier {
  readonly published: ConnectionEvent[];
  readonly undelivered: ConnectionEvent[];
  failing: boolean;
}

export function createFakeNotifier(): FakeNotifier {
  const notifier: FakeNotifier = {
    published: [],
    undelivered: [],
    failing: false,
    async publish(event) {
      if (notifier.failing) {
        notifier.undelivered.push(structuredClone(event));
        return { delivered: false, error: "topic unavailable" };
      }
      notifier.published.push(structuredClone(event));
      return { delivered: true };
    },
  };
  return notifier;
}
