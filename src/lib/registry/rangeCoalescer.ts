// Coalesces concurrent range lookups in one partition of an index (a burst of events each looking up its
// scope in the source index). A lone lookup reads its own range. While a read of a partition is in flight,
// further lookups there wait; when it ends, ONE read of the contiguous range spanning all of them serves them
// all, each keeping its own rows. Every lookup is answered by a read that started after it was made, so none
// sees older data than it would alone (revocation must not miss a connection saved before its event arrived).
// The shared read returns the rows between the waiters' ranges too: its cost grows with the partition's rows
// in that span, once per round instead of one query per lookup.
import { createKeyedCoalescer } from "../keyedCoalescer";
import { inKeyRanges, type KeyRange } from "./registryKeys";

export interface RangeLookup {
  /** The contiguous range to read (a superset of `ranges`). */
  span: KeyRange;
  /** The rows this lookup wants. */
  ranges: readonly KeyRange[];
}

export type SpanReader<Row extends { rowKey: string }> = (partitionKey: string, span: KeyRange) => Promise<Row[]>;

export function createRangeCoalescer<Row extends { rowKey: string }>(readSpan: SpanReader<Row>) {
  const partitions = createKeyedCoalescer<RangeLookup, Row[]>(async (partitionKey, batch) => {
    const rows = await readSpan(partitionKey, batch.length === 1 ? batch[0]!.span : spanOf(batch.map((l) => l.span)));
    return (lookup) => rows.filter((r) => inKeyRanges(r.rowKey, lookup.ranges));
  });
  return {
    lookup: (partitionKey: string, lookup: RangeLookup): Promise<Row[]> => partitions.request(partitionKey, lookup),
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
