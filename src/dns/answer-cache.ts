/**
 * Encoded authoritative answers, keyed by the query's bytes after its ID (flags, question as
 * sent, EDNS record), valid while the record index stays at one generation. A hit costs one map
 * lookup and one buffer copy: no decode, no record lookup, no encode. Cluster names are asked
 * over and over (every pod's resolver walks the same search path), so most queries hit.
 */

/** A bounded cache of encoded responses for one ClusterDnsIndex. */
export class AnswerCache {
  private readonly entries = new Map<string, Buffer>();
  private readonly maxEntries: number;
  private generation = -1;

  constructor(maxEntries = 20_000) {
    this.maxEntries = maxEntries;
  }

  /** The cached response to `query` with the query's ID, or undefined (also after the index changed). */
  get(query: Buffer, generation: number): Buffer | undefined {
    if (generation !== this.generation || query.length < 12) {
      return undefined;
    }
    const hit = this.entries.get(query.toString('latin1', 2));
    if (hit === undefined) {
      return undefined;
    }
    // A copy per answer: the cached bytes must not change while an earlier send is in flight.
    const out = Buffer.allocUnsafe(hit.length);
    hit.copy(out);
    out[0] = query[0] ?? 0;
    out[1] = query[1] ?? 0;
    return out;
  }

  /** Remembers `response` for queries equal to `query` (ID aside) at this index generation. */
  set(query: Buffer, response: Buffer, generation: number): void {
    if (generation !== this.generation) {
      this.entries.clear();
      this.generation = generation;
    }
    if (query.length < 12) {
      return;
    }
    if (this.entries.size >= this.maxEntries) {
      this.entries.clear(); // crude but bounded; the hot names come back within moments
    }
    this.entries.set(query.toString('latin1', 2), response);
  }
}
