/** cobra's "Did you mean this?" suggestions: commands within Levenshtein distance 2, or starting with what was typed. */

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}

/** The candidates cobra would suggest for `typed`, in the candidates' order. */
export function suggestionsFor(typed: string, candidates: readonly string[]): string[] {
  const t = typed.toLowerCase();
  return candidates.filter((c) => levenshtein(t, c.toLowerCase()) <= 2 || c.toLowerCase().startsWith(t));
}
