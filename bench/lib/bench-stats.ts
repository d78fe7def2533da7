/** Summary statistics of benchmark samples. Pure. */
export interface Summary {
  median: number;
  /** 95th percentile (nearest rank): with few samples this is close to the worst one. */
  p95: number;
  samples: number;
}

export function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank]!;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarise(values: number[]): Summary {
  return { median: median(values), p95: percentile(values, 0.95), samples: values.length };
}

/** For rates (higher is better) the bad tail is the low end: the 5th percentile. */
export function summariseRate(values: number[]): Summary {
  return { median: median(values), p95: percentile(values, 0.05), samples: values.length };
}

/**
 * Runs `rounds` pairs of (ours, raw), alternating which goes first, so drift and noise from other
 * work on the machine hit both sides alike. `warmUp` pairs run first and are not kept.
 */
export async function alternate<T>(options: { rounds: number; warmUp: number; ours: () => Promise<T>; raw: () => Promise<T> }): Promise<{ ours: T[]; raw: T[] }> {
  const ours: T[] = [];
  const raw: T[] = [];
  for (let round = 0; round < options.warmUp + options.rounds; round++) {
    const keep = round >= options.warmUp;
    if (round % 2 === 0) {
      const a = await options.ours();
      const b = await options.raw();
      if (keep) (ours.push(a), raw.push(b));
    } else {
      const b = await options.raw();
      const a = await options.ours();
      if (keep) (ours.push(a), raw.push(b));
    }
  }
  return { ours, raw };
}

export async function timeMs(work: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}
