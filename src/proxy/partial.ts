/**
 * Partial syncs (upstream's nftables proxier does the same between full syncs): the difference
 * between the table as last applied and as now desired, as one small `nft -f` transaction that
 * touches only the changed Services' map/set elements (and, for the few Services with chains of
 * their own, those chains and affinity sets). Still one
 * transaction: packets see the old or the new state, never a mix.
 *
 * The work is proportional to the change: a Service whose fragment is the very same object as
 * last time (the render cache hands out the same fragment while its Service and slices are
 * unchanged) is skipped without looking inside it.
 */
import { fragmentMaps, fragmentSets, MAP_DECLS, SET_DECLS } from './fragment.ts';
import type { Fragment } from './fragment.ts';
import { chain, setDecl } from './render.ts';
import type { DesiredState } from './render.ts';

/** What a partial transaction changes (for logs and tests). */
export interface PartialStats {
  readonly chains: number;
  readonly elements: number;
}

const sameRules = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((r, i) => r === b[i]));

const sameList = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean => sameRules(a, b);

/** The Services whose fragment changed: [before, after], undefined for "did not exist". */
function changedFragments(prev: DesiredState, next: DesiredState): [Fragment | undefined, Fragment | undefined][] {
  const out: [Fragment | undefined, Fragment | undefined][] = [];
  for (const [key, f] of next.fragments) {
    const old = prev.fragments.get(key);
    if (old !== f) {
      out.push([old, f]);
    }
  }
  for (const [key, f] of prev.fragments) {
    if (!next.fragments.has(key)) {
      out.push([f, undefined]);
    }
  }
  return out;
}

const NO_MAP: ReadonlyMap<string, string> = new Map();

/**
 * The transaction turning `prev` into `next`: '' when they are equal; undefined when only a full
 * sync can do it (the fixed chains changed, another table, an affinity set changed its timeout,
 * or a pick chain is missing).
 * Map keys are assumed to belong to one Service each (cluster IPs and NodePorts are allocated
 * uniquely); two Services claiming the same external IP are sorted out by the next full sync.
 */
export function partialText(prev: DesiredState, next: DesiredState): { text: string; stats: PartialStats } | undefined {
  if (prev.table !== next.table || prev.fixed !== next.fixed || !sameList(prev.nodePortIps, next.nodePortIps)) {
    return undefined;
  }
  // Element commands per map or set (their names are distinct), maps first.
  const containers = [...MAP_DECLS, ...SET_DECLS].map(([name]) => name);
  const gone = new Map<string, string[]>(containers.map((name) => [name, []]));
  const come = new Map<string, string[]>(containers.map((name) => [name, []]));
  const removed: string[] = [];
  const changed: string[] = [];
  const added: string[] = [];
  const setsGone: string[] = [];
  const setsCome: [string, string][] = [];
  const rulesOf = new Map<string, readonly string[]>();
  for (const [before, after] of changedFragments(prev, next)) {
    for (const [name, body] of after?.sets ?? []) {
      const old = before?.sets.get(name);
      if (old === undefined) {
        setsCome.push([name, body]);
      } else if (old !== body) {
        return undefined; // a set cannot change its timeout in place
      }
    }
    for (const name of before?.sets.keys() ?? []) {
      if (after?.sets.has(name) !== true) {
        setsGone.push(name);
      }
    }
    const afterMaps = after === undefined ? undefined : new Map(fragmentMaps(after));
    for (const [name, elements] of before === undefined ? [] : fragmentMaps(before)) {
      const now = afterMaps?.get(name) ?? NO_MAP;
      for (const [k, v] of elements) {
        if (now.get(k) !== v) {
          gone.get(name)?.push(k);
        }
      }
    }
    const beforeMaps = before === undefined ? undefined : new Map(fragmentMaps(before));
    for (const [name, elements] of after === undefined ? [] : fragmentMaps(after)) {
      const was = beforeMaps?.get(name) ?? NO_MAP;
      for (const [k, v] of elements) {
        if (was.get(k) !== v) {
          come.get(name)?.push(`${k} : ${v}`);
        }
      }
    }
    const afterSets = after === undefined ? undefined : new Map(fragmentSets(after));
    for (const [name, elements] of before === undefined ? [] : fragmentSets(before)) {
      const now = afterSets?.get(name);
      for (const e of elements) {
        if (now?.has(e) !== true) {
          gone.get(name)?.push(e);
        }
      }
    }
    const beforeSets = before === undefined ? undefined : new Map(fragmentSets(before));
    for (const [name, elements] of after === undefined ? [] : fragmentSets(after)) {
      const was = beforeSets?.get(name);
      for (const e of elements) {
        if (was?.has(e) !== true) {
          come.get(name)?.push(e);
        }
      }
    }
    for (const [name, rules] of after?.chains ?? []) {
      const old = before?.chains.get(name);
      if (old === undefined) {
        added.push(name);
        rulesOf.set(name, rules);
      } else if (!sameRules(old, rules)) {
        changed.push(name);
        rulesOf.set(name, rules);
      }
    }
    for (const name of before?.chains.keys() ?? []) {
      if (after?.chains.has(name) !== true) {
        removed.push(name);
      }
    }
  }

  const t = `ip ${next.table}`;
  const delElements: string[] = [];
  const addElements: string[] = [];
  let elements = 0;
  for (const name of containers) {
    const g = gone.get(name) ?? [];
    const c = come.get(name) ?? [];
    if (g.length > 0) {
      delElements.push(`delete element ${t} ${name} { ${g.join(', ')} }`);
    }
    if (c.length > 0) {
      addElements.push(`add element ${t} ${name} { ${c.join(', ')} }`);
    }
    elements += g.length + c.length;
  }
  // A pick chain cannot be created (or rewritten) by a partial transaction (see MAP_DECLS): a
  // Service with more endpoints than any before it needs a full sync. Unused ones can go.
  for (const [name, rules] of next.picks) {
    if (!sameRules(prev.picks.get(name), rules)) {
      return undefined;
    }
  }
  for (const name of prev.picks.keys()) {
    if (!next.picks.has(name)) {
      removed.push(name);
    }
  }
  if (delElements.length + addElements.length + removed.length + changed.length + added.length + setsGone.length + setsCome.length === 0) {
    return { text: '', stats: { chains: 0, elements: 0 } };
  }
  removed.sort();
  changed.sort();
  added.sort();
  // Order matters inside the one transaction: drop references (elements, then the rules of
  // changed and doomed chains) before deleting chains and sets; create sets and chains before
  // map elements point at them. A chain declared again inside `table { }` gets its rules appended.
  const lines = [
    ...delElements,
    ...[...changed, ...removed].map((c) => `flush chain ${t} ${c}`),
    ...(setsCome.length + added.length + changed.length > 0
      ? [`table ${t} {`, ...setsCome.map(([name, body]) => setDecl(name, body)), ...[...added, ...changed].map((c) => chain(c, rulesOf.get(c) ?? [])), '}']
      : []),
    ...removed.map((c) => `delete chain ${t} ${c}`),
    ...setsGone.map((s) => `delete set ${t} ${s}`),
    ...addElements,
  ];
  return { text: `${lines.join('\n')}\n`, stats: { chains: removed.length + changed.length + added.length, elements } };
}
