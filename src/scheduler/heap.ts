/** A binary min-heap keyed by string with in-place update and removal (for the scheduling queue). */

/** Heap ordered by `less`; each item has a unique key. */
export class KeyedHeap<T> {
  private readonly items: T[] = [];
  private readonly index = new Map<string, number>();
  private readonly keyOf: (v: T) => string;
  private readonly less: (a: T, b: T) => boolean;

  constructor(keyOf: (v: T) => string, less: (a: T, b: T) => boolean) {
    this.keyOf = keyOf;
    this.less = less;
  }

  /** Number of items. */
  get size(): number {
    return this.items.length;
  }

  /** True if an item with this key is queued. */
  has(key: string): boolean {
    return this.index.has(key);
  }

  /** The item with this key. */
  get(key: string): T | undefined {
    const i = this.index.get(key);
    return i === undefined ? undefined : this.items[i];
  }

  /** Adds, or replaces the item with the same key and restores order. */
  push(v: T): void {
    const key = this.keyOf(v);
    const i = this.index.get(key);
    if (i !== undefined) {
      this.items[i] = v;
      this.fix(i);
      return;
    }
    this.items.push(v);
    this.index.set(key, this.items.length - 1);
    this.up(this.items.length - 1);
  }

  /** The smallest item without removing it. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Removes and returns the smallest item. */
  pop(): T | undefined {
    if (this.items.length === 0) {
      return undefined;
    }
    const top = this.items[0];
    this.removeAt(0);
    return top;
  }

  /** Removes the item with this key; returns it. */
  delete(key: string): T | undefined {
    const i = this.index.get(key);
    if (i === undefined) {
      return undefined;
    }
    const v = this.items[i];
    this.removeAt(i);
    return v;
  }

  /** Every item, unordered. */
  values(): readonly T[] {
    return this.items;
  }

  private removeAt(i: number): void {
    const last = this.items.length - 1;
    this.index.delete(this.keyOf(this.items[i]));
    if (i !== last) {
      this.items[i] = this.items[last];
      this.index.set(this.keyOf(this.items[i]), i);
    }
    this.items.pop();
    if (i < this.items.length) {
      this.fix(i);
    }
  }

  private fix(i: number): void {
    if (!this.down(i)) {
      this.up(i);
    }
  }

  private swap(i: number, j: number): void {
    const a = this.items[i];
    this.items[i] = this.items[j];
    this.items[j] = a;
    this.index.set(this.keyOf(this.items[i]), i);
    this.index.set(this.keyOf(this.items[j]), j);
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(this.items[i], this.items[p])) {
        break;
      }
      this.swap(i, p);
      i = p;
    }
  }

  private down(i0: number): boolean {
    let i = i0;
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) {
        break;
      }
      let m = l;
      if (l + 1 < n && this.less(this.items[l + 1], this.items[l])) {
        m = l + 1;
      }
      if (!this.less(this.items[m], this.items[i])) {
        break;
      }
      this.swap(i, m);
      i = m;
    }
    return i > i0;
  }
}
