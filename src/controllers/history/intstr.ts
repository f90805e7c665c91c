/** IntOrString values as the workload APIs use them (maxUnavailable, maxSurge, minAvailable). */

/** Upstream's GetScaledValueFromIntOrPercent: an int as is, "N%" of `total` rounded up or down. */
export function scaledValue(v: number | string | undefined, total: number, roundUp: boolean, fallback: number | string): number {
  const x = v ?? fallback;
  if (typeof x === 'number') {
    return x;
  }
  const m = /^(\d+)%$/.exec(x);
  if (m === null) {
    const n = Number(x);
    return Number.isInteger(n) ? n : 0;
  }
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** Drops the `keys` whose value is 0, as Go's `omitempty` does for upstream's int32 status fields. */
export function omitZero<T extends object>(obj: T, keys: readonly (keyof T)[]): T {
  const out = { ...obj };
  for (const k of keys) {
    if (out[k] === 0) {
      delete out[k];
    }
  }
  return out;
}
