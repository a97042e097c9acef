// The emulator's clock: real time, plus a time scale that shrinks simulated durations (LROs, retries).
export interface EmulatorClock {
  now(): number;
  timeScale(): number;
  setTimeScale(scale: number): void;
}

export function createClock(timeScale = 1, now: () => number = Date.now): EmulatorClock {
  let scale = timeScale;
  return {
    now,
    timeScale: () => scale,
    setTimeScale(value) {
      if (!Number.isFinite(value) || value < 0) throw new Error(`time scale must be a non-negative number, got ${value}`);
      scale = value;
    },
  };
}
