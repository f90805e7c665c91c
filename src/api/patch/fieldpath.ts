/**
 * Sets of field paths in upstream's FieldsV1 shape (sigs.k8s.io/structured-merge-diff
 * fieldpath): path elements are `f:<field>`, `k:<json of key fields>` (map-keyed list
 * items), `v:<json value>` (set items) and `i:<index>`; `.` marks a node that is itself
 * a member and has members below it.
 */
import { isObject } from './json-values.ts';

/** One path element in its FieldsV1 spelling (`f:spec`, `k:{"name":"nginx"}`). */
export type PathElement = string;
/** A path from the object root. */
export type FieldPath = readonly PathElement[];

/** A tree of path elements; a node is a member when the field itself is in the set. */
export class FieldSet {
  member = false;
  readonly children = new Map<PathElement, FieldSet>();

  /** Adds `path` (and the intermediate nodes, which do not become members). */
  insert(path: FieldPath): void {
    this.descend(path).member = true;
  }

  /** The node at `path`, created (as a non-member, like its missing ancestors) when absent. */
  descend(path: FieldPath): FieldSet {
    let node: FieldSet = this;
    for (const pe of path) {
      node = node.child(pe);
    }
    return node;
  }

  /** The child node `pe`, created (as a non-member) when absent. */
  child(pe: PathElement): FieldSet {
    let next = this.children.get(pe);
    if (next === undefined) {
      next = new FieldSet();
      this.children.set(pe, next);
    }
    return next;
  }

  /** The node at `path`, if any. */
  at(path: FieldPath): FieldSet | undefined {
    let node: FieldSet | undefined = this;
    for (const pe of path) {
      node = node.children.get(pe);
      if (node === undefined) {
        return undefined;
      }
    }
    return node;
  }

  /** True when `path` itself is a member. */
  has(path: FieldPath): boolean {
    return this.at(path)?.member ?? false;
  }

  /** True when no member exists anywhere in this tree. */
  isEmpty(): boolean {
    if (this.member) {
      return false;
    }
    for (const c of this.children.values()) {
      if (!c.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** Every member path, in FieldsV1 order. */
  members(prefix: FieldPath = []): PathElement[][] {
    const out: PathElement[][] = this.member ? [[...prefix]] : [];
    for (const pe of sortedElements(this.children.keys())) {
      const child = this.children.get(pe);
      if (child !== undefined) {
        out.push(...child.members([...prefix, pe]));
      }
    }
    return out;
  }

  /** A new set with the members of both. */
  union(other: FieldSet): FieldSet {
    const out = this.clone();
    const add = (into: FieldSet, from: FieldSet): void => {
      into.member ||= from.member;
      for (const [pe, child] of from.children) {
        const existing = into.children.get(pe);
        if (existing === undefined) {
          into.children.set(pe, child.clone());
        } else {
          add(existing, child);
        }
      }
    };
    add(out, other);
    return out;
  }

  /** A new set with this set's members that `other` lacks. */
  difference(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && !other.member;
    for (const [pe, child] of this.children) {
      const o = other.children.get(pe);
      const d = o === undefined ? child.clone() : child.difference(o);
      if (!d.isEmpty()) {
        out.children.set(pe, d);
      }
    }
    return out;
  }

  /** A new set with the members in both. */
  intersection(other: FieldSet): FieldSet {
    const out = new FieldSet();
    out.member = this.member && other.member;
    for (const [pe, child] of this.children) {
      const o = other.children.get(pe);
      if (o !== undefined) {
        const i = child.intersection(o);
        if (!i.isEmpty()) {
          out.children.set(pe, i);
        }
      }
    }
    return out;
  }

  /**
   * A new set without the members at or under any of `prefixes`. Only the nodes on the
   * prefixes' paths are copied; the rest is shared with this set (sets are not changed in
   * place once built, except such freshly copied nodes).
   */
  withoutPrefixes(prefixes: readonly FieldPath[]): FieldSet {
    const out = this.shallowCopy();
    const copied = new Set<FieldSet>([out]);
    for (const prefix of prefixes) {
      let node: FieldSet | undefined = out;
      for (let i = 0; node !== undefined && i < prefix.length - 1; i++) {
        const pe: PathElement = prefix[i];
        const next: FieldSet | undefined = node.children.get(pe);
        if (next !== undefined && !copied.has(next)) {
          const copy = next.shallowCopy();
          copied.add(copy);
          node.children.set(pe, copy);
          node = copy;
        } else {
          node = next;
        }
      }
      const last = prefix[prefix.length - 1];
      if (node !== undefined && last !== undefined) {
        node.children.delete(last);
      }
    }
    return out;
  }

  /** This node with its own member flag and child map (the children themselves shared). */
  private shallowCopy(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [pe, c] of this.children) {
      out.children.set(pe, c);
    }
    return out;
  }

  clone(): FieldSet {
    const out = new FieldSet();
    out.member = this.member;
    for (const [pe, c] of this.children) {
      out.children.set(pe, c.clone());
    }
    return out;
  }
}

const ELEMENT_ORDER: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

/** Upstream's order of path elements: fields before keys before values before indexes, each group sorted. */
export function compareElements(a: PathElement, b: PathElement): number {
  const ta = ELEMENT_ORDER[a[0] ?? 'f'] ?? 4;
  const tb = ELEMENT_ORDER[b[0] ?? 'f'] ?? 4;
  if (ta !== tb) {
    return ta - tb;
  }
  if (a[0] === 'i' && b[0] === 'i') {
    return Number(a.slice(2)) - Number(b.slice(2));
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedElements(elements: Iterable<PathElement>): PathElement[] {
  return [...elements].sort(compareElements);
}

/** The FieldsV1 JSON of a set: `{"f:spec":{"f:replicas":{}}}`, with `.` for member nodes that have children. */
export function toFieldsV1(set: FieldSet): Record<string, unknown> {
  return encodeNode(set) ?? {};
}

/** The FieldsV1 JSON of one node; undefined when no member lies at or below it (one pass, no isEmpty re-walks). */
function encodeNode(set: FieldSet): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  if (set.member && set.children.size > 0) {
    out['.'] = {};
  }
  let any = false;
  if (set.children.size > 0) {
    for (const pe of set.children.size === 1 ? set.children.keys() : sortedElements(set.children.keys())) {
      const child = set.children.get(pe);
      const encoded = child === undefined ? undefined : encodeNode(child);
      if (encoded !== undefined) {
        out[pe] = encoded;
        any = true;
      }
    }
  }
  return any || set.member ? out : undefined;
}

/** Reads a FieldsV1 object back into a set (unknown shapes are ignored, not fatal). */
export function fromFieldsV1(fields: unknown): FieldSet {
  const set = new FieldSet();
  const walk = (node: unknown, path: PathElement[]): void => {
    if (!isObject(node)) {
      return;
    }
    const keys = Object.keys(node);
    if (keys.length === 0 && path.length > 0) {
      set.insert(path);
      return;
    }
    for (const k of keys) {
      if (k === '.') {
        set.insert(path);
      } else {
        walk(node[k], [...path, k]);
      }
    }
  };
  walk(fields, []);
  return set;
}

/** `f:<name>` */
export function fieldElement(name: string): PathElement {
  return `f:${name}`;
}

/** `k:{"containerPort":80,"protocol":"TCP"}`: key fields sorted by name, compact JSON. */
export function keyElement(keys: Readonly<Record<string, unknown>>): PathElement {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(keys).sort()) {
    sorted[k] = keys[k];
  }
  return `k:${JSON.stringify(sorted)}`;
}

/** `v:<json>` for an item of a set list. */
export function valueElement(value: unknown): PathElement {
  return `v:${JSON.stringify(value)}`;
}

/** `i:<n>` for an item addressed by position. */
export function indexElement(index: number): PathElement {
  return `i:${index}`;
}

/** Upstream's human spelling of a path: `.spec.template.spec.containers[name="nginx"].image`. */
export function pathString(path: FieldPath): string {
  return path
    .map((pe) => {
      const body = pe.slice(2);
      switch (pe[0]) {
        case 'f':
          return `.${body}`;
        case 'k': {
          const keys: unknown = JSON.parse(body);
          return isObject(keys)
            ? `[${Object.entries(keys)
                .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
                .join(',')}]`
            : `[${body}]`;
        }
        case 'v':
          return `[=${body}]`;
        default:
          return `[${body}]`;
      }
    })
    .join('');
}
