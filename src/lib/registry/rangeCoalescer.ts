// Coalesces concurrent range lookups in one partition of an index (a burst of events each looking up its
// scope in the source index). A lone lookup reads its own range. While a read of a partition is in flight,
// further lookups there wait; when it ends, ONE read of the contiguous range spanning all of them serves them
// all, each keeping its own rows. Every lookup is answered by a read that started after it was made, so none
// sees older data than it would alone (revocation must not miss a connection saved before its event arrived).
// The shared read returns the rows between the waiters' ranges too: its cost grows with the partition's rows
// in that span, once per round instead of one query per lookup.
import { inKeyRanges, type KeyRange } from "./registryKeys";

export interface RangeLookup {
  /** The contiguous range to read (a superset of `ranges`). */
  span: KeyRange;
  /** The rows this lookup wants. */
  ranges: readonly KeyRange[];
}

export type SpanReader<Row extends { rowKey: string }> = (partitionKey: string, span: KeyRange) => Promise<Row[]>;

interface Waiter<Row> extends RangeLookup {
  resolve(rows: Row[]): void;
  reject(error: unknown): void;
}

interface Lane<Row> {
  inFlight: boolean;
  waiting: Waiter<Row>[];
}

export function createRangeCoalescer<Row extends { rowKey: string }>(readSpan: SpanReader<Row>) {
  const lanes = new Map<string, Lane<Row>>();

  function read(partitionKey: string, lane: Lane<Row>, batch: Waiter<Row>[]): void {
    lane.inFlight = true;
    const span = batch.length === 1 ? batch[0]!.span : spanOf(batch.map((w) => w.span));
    readSpan(partitionKey, span)
      .then(
        (rows) => {
          for (const w of batch) w.resolve(rows.filter((r) => inKeyRanges(r.rowKey, w.ranges)));
        },
        (error: unknown) => {
          for (const w of batch) w.reject(error);
        },
      )
      .finally(() => {
        lane.inFlight = false;
        const next = lane.waiting.splice(0);
        if (next.length > 0) read(partitionKey, lane, next);
        else lanes.delete(partitionKey);
      });
  }

  return {
    lookup(partitionKey: string, lookup: RangeLookup): Promise<Row[]> {
      let lane = lanes.get(partitionKey);
      if (!lane) {
        lane = { inFlight: false, waiting: [] };
        lanes.set(partitionKey, lane);
      }
      const current = lane;
      return new Promise<Row[]>((resolve, reject) => {
        const waiter = { ...lookup, resolve, reject };
        if (current.inFlight) current.waiting.push(waiter);
        else read(partitionKey, current, [waiter]);
      });
    },
  };
}

/** The smallest contiguous range holding every span. */
export function spanOf(spans: readonly KeyRange[]): KeyRange {
  let from = spans[0]!.from;
  let to = spans[0]!.to;
  for (const s of spans) {
    if (s.from < from) from = s.from;
    if (s.to > to) to = s.to;
  }
  return { from, to };
}
