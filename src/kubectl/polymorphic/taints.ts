/** Taint specs (`key=value:Effect`, `key:Effect-`, `key-`) and how they change a node's taints, as upstream's taint utils. */
import { labelKeyErrors, labelValueErrors } from '../../api/selectors/index.ts';
import type { Taint } from './nodes.ts';

const effects = new Set(['NoSchedule', 'PreferNoSchedule', 'NoExecute']);

/** A taint to remove: effect '' means every effect of the key. */
export interface TaintRemoval {
  readonly key: string;
  readonly effect: string;
}

/** `key=value:effect`, `key:effect` or `key` (upstream's Taint.ToString). */
export function taintString(t: { readonly key: string; readonly value?: string; readonly effect: string }): string {
  if (t.effect === '') {
    return (t.value ?? '') === '' ? t.key : `${t.key}=${t.value ?? ''}:`;
  }
  return (t.value ?? '') === '' ? `${t.key}:${t.effect}` : `${t.key}=${t.value ?? ''}:${t.effect}`;
}

function parseTaint(spec: string): Taint {
  const parts = spec.split(':');
  let key: string;
  let value = '';
  let effect = '';
  if (parts.length === 1) {
    key = parts[0] ?? '';
  } else if (parts.length === 2) {
    effect = parts[1] ?? '';
    if (!effects.has(effect)) {
      throw new Error(`invalid taint effect: ${effect}, unsupported taint effect`);
    }
    const kv = (parts[0] ?? '').split('=');
    if (kv.length > 2) {
      throw new Error(`invalid taint spec: ${spec}`);
    }
    key = kv[0] ?? '';
    if (kv.length === 2) {
      value = kv[1] ?? '';
      const errs = labelValueErrors(value);
      if (errs.length > 0) {
        throw new Error(`invalid taint spec: ${spec}, ${errs.join('; ')}`);
      }
    }
  } else {
    throw new Error(`invalid taint spec: ${spec}`);
  }
  const errs = labelKeyErrors(key);
  if (errs.length > 0) {
    throw new Error(`invalid taint spec: ${spec}, ${errs.join('; ')}`);
  }
  return { key, value, effect };
}

/** Splits taint arguments into additions and removals (errors carry upstream's text). */
export function parseTaints(specs: readonly string[]): { readonly add: Taint[]; readonly remove: TaintRemoval[] } {
  const add: Taint[] = [];
  const remove: TaintRemoval[] = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    if (spec.endsWith('-')) {
      const t = parseTaint(spec.slice(0, -1));
      remove.push({ key: t.key, effect: t.effect });
      continue;
    }
    const t = parseTaint(spec);
    if (t.effect === '') {
      throw new Error(`invalid taint spec: ${spec}`);
    }
    const id = `${t.effect}\u0000${t.key}`;
    if (seen.has(id)) {
      // Go prints the struct with %v: {key value effect <nil>}.
      throw new Error(`duplicated taints with the same key and effect: {${t.key} ${t.value ?? ''} ${t.effect} <nil>}`);
    }
    seen.add(id);
    add.push(t);
  }
  return { add, remove };
}

/** `key=effect` pairs both added and removed in one command (upstream refuses them). */
export function conflictingTaints(add: readonly Taint[], remove: readonly TaintRemoval[]): string[] {
  const out: string[] = [];
  for (const a of add) {
    for (const r of remove) {
      if (a.key === r.key && (r.effect === '' || a.effect === r.effect)) {
        out.push(`${r.key}=${r.effect}`);
      }
    }
  }
  return out;
}

/** Keys of `add` already present with the same effect (comma-joined, '' if none). */
export function existingTaintKeys(old: readonly Taint[], add: readonly Taint[]): string {
  const keys: string[] = [];
  for (const t of add) {
    for (const o of old) {
      if (t.key === o.key && t.effect === o.effect) {
        keys.push(t.key);
      }
    }
  }
  return keys.join(',');
}

/**
 * The new taint list and the operation word (`tainted`, `untainted`, `modified`), plus the
 * "not found" errors for removals that matched nothing (upstream's reorganizeTaints).
 */
export function reorganizeTaints(old: readonly Taint[], overwrite: boolean, add: readonly Taint[], remove: readonly TaintRemoval[]): { taints: Taint[]; operation: string; errors: string[] } {
  let taints: Taint[] = [...add];
  for (const o of old) {
    if (!taints.some((t) => t.key === o.key && t.effect === o.effect)) {
      taints.push(o);
    }
  }
  const added = old.length !== taints.length;
  const errors: string[] = [];
  let removed = false;
  for (const r of remove) {
    const before = taints.length;
    taints = taints.filter((t) => !(t.key === r.key && (r.effect === '' || t.effect === r.effect)));
    removed = taints.length !== before;
    if (!removed) {
      errors.push(`taint "${taintString({ key: r.key, effect: r.effect })}" not found`);
    }
  }
  const operation = (added && removed) || overwrite ? 'modified' : added ? 'tainted' : 'untainted';
  return { taints, operation, errors };
}
