/** Completed-index sets in upstream's text form ("1,3-5,7"). */

/** Parses "1,3-5" into a sorted set of indexes below `limit`. */
export function parseIndexes(s: string | undefined, limit: number): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    if (part === '') {
      continue;
    }
    const [a, b] = part.split('-').map(Number);
    const hi = b ?? a;
    for (let i = a; i <= hi && i < limit; i++) {
      if (Number.isInteger(i) && i >= 0) {
        out.add(i);
      }
    }
  }
  return out;
}

/** Formats a set of indexes as ranges: {1,3,4,5} → "1,3-5". */
export function formatIndexes(set: ReadonlySet<number>): string {
  const sorted = [...set].sort((x, y) => x - y);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) {
      j++;
    }
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}
