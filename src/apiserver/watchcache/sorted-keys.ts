/**
 * A sorted array of unique string keys, each with a value in a parallel array, with
 * binary-search set, delete and prefix ranges. Ranges walk the arrays in order, so a large
 * list reads each value without a hash lookup per key.
 */
export class SortedKeys<V = undefined> {
  private keys: string[] = [];
  private values: V[] = [];

  /** Replaces the content (entries in any order; sorted here once). */
  reset(entries: Iterable<readonly [string, V]>): void {
    const sorted = [...entries].sort((a, b) => compare(a[0], b[0]));
    this.keys = sorted.map((e) => e[0]);
    this.values = sorted.map((e) => e[1]);
  }

  get size(): number {
    return this.keys.length;
  }

  /** Adds key with value, or replaces the value of a present key; O(log n) search + one splice when new. */
  set(key: string, value: V): void {
    const i = this.lowerBound(key);
    if (this.keys[i] === key) {
      this.values[i] = value;
    } else {
      this.keys.splice(i, 0, key);
      this.values.splice(i, 0, value);
    }
  }

  /** Removes key if present. */
  remove(key: string): void {
    const i = this.lowerBound(key);
    if (this.keys[i] === key) {
      this.keys.splice(i, 1);
      this.values.splice(i, 1);
    }
  }

  /**
   * Calls visit(key, value) for the keys starting with prefix and greater than `after` (when
   * given), in order, until it returns false. No iterator or entry objects per key.
   */
  scan(prefix: string, after: string | undefined, visit: (key: string, value: V) => boolean): void {
    const start = after !== undefined && after >= prefix ? this.upperBound(after) : this.lowerBound(prefix);
    const keys = this.keys;
    const values = this.values;
    for (let i = start; i < keys.length; i++) {
      const k = keys[i];
      if (!k.startsWith(prefix) || !visit(k, values[i])) {
        return;
      }
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
