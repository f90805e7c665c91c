/** A sorted array of unique string keys with binary-search insert, delete and prefix ranges. */
export class SortedKeys {
  private keys: string[] = [];

  /** Replaces the content (keys in any order; sorted here once). */
  reset(keys: string[]): void {
    this.keys = keys.slice().sort(compare);
  }

  get size(): number {
    return this.keys.length;
  }

  /** Adds key if absent; O(log n) search + one splice. */
  insert(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] !== key) {
      this.keys.splice(i, 0, key);
    }
  }

  /** Removes key if present. */
  remove(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] === key) {
      this.keys.splice(i, 1);
    }
  }

  /** Keys starting with prefix and strictly greater than `after` (when given), in order. */
  range(prefix: string, after?: string): string[] {
    const out: string[] = [];
    for (const k of this.iterate(prefix, after)) {
      out.push(k);
    }
    return out;
  }

  /** Like range, lazily (no copy: pages of a large list stay cheap). */
  *iterate(prefix: string, after?: string): Generator<string, void, undefined> {
    const start = after !== undefined && after >= prefix ? this.upperBound(after) : this.lowerBound(prefix);
    const keys = this.keys;
    for (let i = start; i < keys.length; i++) {
      const k = keys[i];
      if (!k.startsWith(prefix)) {
        return;
      }
      yield k;
    }
  }

  /** How many keys start with prefix (binary searches only). */
  countPrefix(prefix: string, after?: string): number {
    const start = after !== undefined && after >= prefix ? this.upperBound(after) : this.lowerBound(prefix);
    return this.lowerBound(prefixEnd(prefix)) - start;
  }

  /** Index of the first key >= k. */
  private lowerBound(k: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid] < k) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Index of the first key > k. */
  private upperBound(k: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.keys[mid] <= k) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}

/** The smallest string greater than every string starting with prefix. */
function prefixEnd(prefix: string): string {
  return prefix.length === 0 ? '\uffff' : prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
