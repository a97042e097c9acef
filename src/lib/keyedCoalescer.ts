// One read in flight per key; requests made meanwhile wait and are served together by the next read, which
// starts after every one of them was made: sharing never answers a request with data from before it. The index
// lookups of revocation (registry/rangeCoalescer.ts) and its role-assignment reads (access/coalescingAccessReader.ts)
// use it, each with its own idea of a batch's read.

/**
 * Reads once for a batch of requests under one key, then answers each request from that read. A lone request
 * comes as a batch of one.
 */
export type BatchRead<Request, Answer> = (key: string, batch: readonly Request[]) => Promise<(request: Request) => Answer>;

interface Waiter<Request, Answer> {
  request: Request;
  resolve(answer: Answer): void;
  reject(error: unknown): void;
}

interface Lane<Request, Answer> {
  inFlight: boolean;
  waiting: Waiter<Request, Answer>[];
}

export interface KeyedCoalescer<Request, Answer> {
  request(key: string, request: Request): Promise<Answer>;
}

export function createKeyedCoalescer<Request, Answer>(readBatch: BatchRead<Request, Answer>): KeyedCoalescer<Request, Answer> {
  const lanes = new Map<string, Lane<Request, Answer>>();

  function read(key: string, lane: Lane<Request, Answer>, batch: Waiter<Request, Answer>[]): void {
    lane.inFlight = true;
    readBatch(key, batch.map((w) => w.request))
      .then(
        (answerFor) => {
          for (const w of batch) {
            try {
              w.resolve(answerFor(w.request));
            } catch (error) {
              w.reject(error);
            }
          }
        },
        (error: unknown) => {
          for (const w of batch) w.reject(error);
        },
      )
      .finally(() => {
        lane.inFlight = false;
        const next = lane.waiting.splice(0);
        if (next.length > 0) read(key, lane, next);
        else lanes.delete(key);
      });
  }

  return {
    request(key, request) {
      let lane = lanes.get(key);
      if (!lane) {
        lane = { inFlight: false, waiting: [] };
        lanes.set(key, lane);
      }
      const current = lane;
      return new Promise<Answer>((resolve, reject) => {
        const waiter = { request, resolve, reject };
        if (current.inFlight) current.waiting.push(waiter);
        else read(key, current, [waiter]);
      });
    },
  };
}
