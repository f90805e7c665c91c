/** Go's time.Duration.String() for millisecond durations (`5s`, `1m0s`, `1h2m3.5s`, `500ms`): kubectl prints durations this way. */
export function goDuration(ms: number): string {
  if (ms === 0) {
    return '0s';
  }
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) {
    return `${sign}${abs}ms`;
  }
  const h = Math.floor(abs / 3_600_000);
  const m = Math.floor((abs % 3_600_000) / 60_000);
  const restMs = abs % 60_000;
  const whole = Math.floor(restMs / 1000);
  const frac = restMs % 1000;
  const s = frac === 0 ? `${whole}` : `${whole}.${String(frac).padStart(3, '0').replace(/0+$/, '')}`;
  if (h > 0) {
    return `${sign}${h}h${m}m${s}s`;
  }
  if (m > 0) {
    return `${sign}${m}m${s}s`;
  }
  return `${sign}${s}s`;
}
