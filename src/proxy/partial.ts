/**
 * Partial syncs (upstream's nftables proxier does the same between full syncs): the difference
 * between the table as last applied and as now desired, as one small `nft -f` transaction that
 * touches only the changed Services' chains, affinity sets and map elements. Still one
 * transaction: packets see the old or the new state, never a mix.
 */
import { chain, MAP_TYPES, setDecl, sortIps } from './render.ts';
import type { RulesetModel } from './render.ts';

/** What a partial transaction changes (for logs and tests). */
export interface PartialStats {
  readonly chains: number;
  readonly elements: number;
}

const sameRules = (a: readonly string[] | undefined, b: readonly string[] | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((r, i) => r === b[i]));

/**
 * The transaction turning `prev` into `next`: '' when they are equal; undefined when only a full
 * sync can do it (the fixed chains changed, another table, or an affinity set changed its timeout).
 */
export function partialText(prev: RulesetModel, next: RulesetModel): { text: string; stats: PartialStats } | undefined {
  if (prev.table !== next.table || prev.fixed !== next.fixed || JSON.stringify(prev.nodePortIps) !== JSON.stringify(next.nodePortIps)) {
    return undefined;
  }
  for (const [name, body] of next.sets) {
    const old = prev.sets.get(name);
    if (old !== undefined && old !== body) {
      return undefined;
    }
  }
  const t = `ip ${next.table}`;
  const delElements: string[] = [];
  const addElements: string[] = [];
  let elements = 0;
  for (const [name] of MAP_TYPES) {
    const before = prev.maps.get(name) ?? new Map<string, string>();
    const after = next.maps.get(name) ?? new Map<string, string>();
    const gone = [...before].filter(([k, v]) => after.get(k) !== v).map(([k]) => k);
    const come = [...after].filter(([k, v]) => before.get(k) !== v).map(([k, v]) => `${k} : ${v}`);
    if (gone.length > 0) {
      delElements.push(`delete element ${t} ${name} { ${gone.join(', ')} }`);
    }
    if (come.length > 0) {
      addElements.push(`add element ${t} ${name} { ${come.join(', ')} }`);
    }
    elements += gone.length + come.length;
  }
  const ipsGone = sortIps([...prev.clusterIps].filter((ip) => !next.clusterIps.has(ip)));
  const ipsCome = sortIps([...next.clusterIps].filter((ip) => !prev.clusterIps.has(ip)));
  if (ipsGone.length > 0) {
    delElements.push(`delete element ${t} cluster-ips { ${ipsGone.join(', ')} }`);
  }
  if (ipsCome.length > 0) {
    addElements.push(`add element ${t} cluster-ips { ${ipsCome.join(', ')} }`);
  }
  elements += ipsGone.length + ipsCome.length;

  const removed = [...prev.chains.keys()].filter((c) => !next.chains.has(c)).sort();
  const changed = [...next.chains.keys()].filter((c) => prev.chains.has(c) && !sameRules(prev.chains.get(c), next.chains.get(c))).sort();
  const added = [...next.chains.keys()].filter((c) => !prev.chains.has(c)).sort();
  const setsGone = [...prev.sets.keys()].filter((s) => !next.sets.has(s));
  const setsCome = [...next.sets].filter(([s]) => !prev.sets.has(s));
  if (delElements.length + addElements.length + removed.length + changed.length + added.length + setsGone.length + setsCome.length === 0) {
    return { text: '', stats: { chains: 0, elements: 0 } };
  }
  // Order matters inside the one transaction: drop references (elements, then the rules of
  // changed and doomed chains) before deleting chains and sets; create sets and chains before
  // map elements point at them. A chain declared again inside `table { }` gets its rules appended.
  const lines = [
    ...delElements,
    ...[...changed, ...removed].map((c) => `flush chain ${t} ${c}`),
    ...(setsCome.length + added.length + changed.length > 0
      ? [`table ${t} {`, ...setsCome.map(([name, body]) => setDecl(name, body)), ...[...added, ...changed].map((c) => chain(c, next.chains.get(c) ?? [])), '}']
      : []),
    ...removed.map((c) => `delete chain ${t} ${c}`),
    ...setsGone.map((s) => `delete set ${t} ${s}`),
    ...addElements,
  ];
  return { text: `${lines.join('\n')}\n`, stats: { chains: removed.length + changed.length + added.length, elements } };
}
