/**
 * metadata.managedFields: decoding/encoding upstream's entries, the fields the API server
 * never tracks, and the conflict error of server-side apply.
 */
import { StatusError, StatusReason } from '../errors.ts';
import type { GroupVersionKind, ManagedFieldsEntry } from '../object.ts';
import { apiVersionOf } from '../object.ts';
import { isBuiltinKind } from './builtin-groups.ts';
import { fromFieldsV1, pathString, toFieldsV1 } from './fieldpath.ts';
import { FieldSet } from './fieldpath.ts';
import type { FieldPath } from './fieldpath.ts';

/** One manager's ownership: who, how (Apply/Update), against which version and subresource. */
export interface Manager {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly apiVersion: string;
  readonly subresource?: string | undefined;
  time?: string | undefined;
  set: FieldSet;
}

/** Upstream's manager identity: appliers are one manager whatever version they used. */
export function managerKey(m: Pick<Manager, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  return JSON.stringify({ manager: m.manager, operation: m.operation, apiVersion: m.operation === 'Apply' ? undefined : m.apiVersion, subresource: m.subresource || undefined });
}

/** Reads managedFields entries; malformed entries are dropped and duplicates of one identity merged. */
export function decodeManagers(entries: readonly ManagedFieldsEntry[] | undefined): Map<string, Manager> {
  const out = new Map<string, Manager>();
  for (const e of entries ?? []) {
    if (typeof e !== 'object' || e === null || (e.operation !== 'Apply' && e.operation !== 'Update') || typeof e.manager !== 'string') {
      continue;
    }
    const m: Manager = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      subresource: typeof e.subresource === 'string' && e.subresource !== '' ? e.subresource : undefined,
      time: typeof e.time === 'string' ? e.time : undefined,
      set: fromFieldsV1(e.fieldsV1),
    };
    const key = managerKey(m);
    const prev = out.get(key);
    if (prev !== undefined) {
      prev.set = prev.set.union(m.set);
    } else {
      out.set(key, m);
    }
  }
  return out;
}

/** Encodes managers as upstream sorts them: Apply before Update, then by time, manager, version, subresource. */
export function encodeManagers(managers: Iterable<Manager>): ManagedFieldsEntry[] {
  const list = [...managers].filter((m) => !m.set.isEmpty());
  list.sort((a, b) => {
    const keys = (m: Manager): [string, string, string, string, string] => [m.operation, m.time ?? '', m.manager, m.apiVersion, m.subresource ?? ''];
    const ka = keys(a);
    const kb = keys(b);
    for (let i = 0; i < ka.length; i++) {
      const x = ka[i] ?? '';
      const y = kb[i] ?? '';
      if (x !== y) {
        return x < y ? -1 : 1;
      }
    }
    return 0;
  });
  return list.map((m) => {
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time !== undefined) {
      e.time = m.time;
    }
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = toFieldsV1(m.set);
    if (m.subresource !== undefined) {
      e.subresource = m.subresource;
    }
    return e;
  });
}

/** Now, as upstream stamps managedFields times (RFC 3339, whole seconds, UTC). */
export function managedFieldsTime(now: Date = new Date()): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}

const ALWAYS_IGNORED: readonly FieldPath[] = [
  ['f:apiVersion'],
  ['f:kind'],
  ['f:metadata', 'f:name'],
  ['f:metadata', 'f:namespace'],
  ['f:metadata', 'f:creationTimestamp'],
  ['f:metadata', 'f:selfLink'],
  ['f:metadata', 'f:uid'],
  ['f:metadata', 'f:clusterName'],
  ['f:metadata', 'f:generation'],
  ['f:metadata', 'f:managedFields'],
  ['f:metadata', 'f:resourceVersion'],
];

// The three answers of ignoredPaths, shared (callers only read them; created.ts keys its tries on them).
const IGNORED_WITH_STATUS: readonly FieldPath[] = [...ALWAYS_IGNORED, ['f:status']];
const IGNORED_WITH_SPEC: readonly FieldPath[] = [...ALWAYS_IGNORED, ['f:spec']];

/** How the registry serves a kind, where it changes what a write may own. */
export interface OwnershipOptions {
  /**
   * True when the kind has a status subresource, so writes to the main resource reset
   * status (upstream's strategy reset fields). Default: true for built-in kinds, false otherwise.
   */
  readonly statusSubresource?: boolean;
}

/** The paths stripIgnored drops (everything at and under each); `f:metadata` itself is never owned either. */
export function ignoredPaths(gvk: GroupVersionKind, subresource: string | undefined, options: OwnershipOptions = {}): readonly FieldPath[] {
  if (subresource === undefined || subresource === '') {
    return options.statusSubresource ?? isBuiltinKind(gvk) ? IGNORED_WITH_STATUS : ALWAYS_IGNORED;
  }
  return subresource === 'status' ? IGNORED_WITH_SPEC : ALWAYS_IGNORED;
}

/**
 * Drops what upstream never records as owned: type and system metadata, plus the fields a
 * write cannot change (status through the main resource when /status exists, spec through /status).
 */
export function stripIgnored(gvk: GroupVersionKind, set: FieldSet, subresource: string | undefined, options: OwnershipOptions = {}): FieldSet {
  const out = set.withoutPrefixes(ignoredPaths(gvk, subresource, options));
  const meta = out.at(['f:metadata']);
  if (meta !== undefined) {
    meta.member = false;
  }
  return out;
}

/** `"kubectl"`, `"x" with subresource "status"`, `"kube-controller-manager" using apps/v1`. */
function describeManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource !== undefined) {
    s = `${s} with subresource ${JSON.stringify(m.subresource)}`;
  }
  return m.operation === 'Update' ? `${s} using ${m.apiVersion}` : s;
}

/** One field another manager owns and this apply would change. */
export interface Conflict {
  readonly manager: Manager;
  readonly path: FieldPath;
}

/** 409 with upstream's apply-conflict message and one FieldManagerConflict cause per field. */
export function conflictError(conflicts: readonly Conflict[]): StatusError {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.manager)}`, field: pathString(c.path) }));
  let message: string;
  const first = conflicts[0];
  if (conflicts.length === 1 && first !== undefined) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(first.manager)}: ${pathString(first.path)}`;
  } else {
    const byManager = new Map<string, { manager: Manager; paths: string[] }>();
    for (const c of conflicts) {
      const key = managerKey(c.manager);
      const entry = byManager.get(key) ?? { manager: c.manager, paths: [] };
      entry.paths.push(pathString(c.path));
      byManager.set(key, entry);
    }
    const lines: string[] = [];
    for (const key of [...byManager.keys()].sort()) {
      const entry = byManager.get(key);
      if (entry !== undefined) {
        lines.push(`conflicts with ${describeManager(entry.manager)}:`, ...entry.paths.map((p) => `- ${p}`));
      }
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, StatusReason.Conflict, message, { causes });
}

/** The apiVersion managedFields entries record for `gvk`. */
export function entryApiVersion(gvk: GroupVersionKind): string {
  return apiVersionOf(gvk.group, gvk.version);
}

/** Upstream keeps at most this many Update entries; older ones merge into `ancient-changes`. */
export const MAX_UPDATE_MANAGERS = 10;

/** Merges the oldest Update entries into one `ancient-changes` entry per version beyond the cap. */
export function capUpdateManagers(managers: Map<string, Manager>): void {
  const updaters = [...managers.entries()].filter(([, m]) => m.operation === 'Update');
  if (updaters.length <= MAX_UPDATE_MANAGERS) {
    return;
  }
  updaters.sort(([ka, a], [kb, b]) => {
    const ta = a.time ?? '';
    const tb = b.time ?? '';
    if (ta !== tb) {
      return ta < tb ? -1 : 1;
    }
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  const firstOfVersion = new Map<string, string>();
  let count = updaters.length;
  for (const [key, m] of updaters) {
    if (count <= MAX_UPDATE_MANAGERS) {
      break;
    }
    const first = firstOfVersion.get(m.apiVersion);
    if (first === undefined) {
      firstOfVersion.set(m.apiVersion, key);
      continue;
    }
    const bucket: Manager = { manager: 'ancient-changes', operation: 'Update', apiVersion: m.apiVersion, set: new FieldSet() };
    const bucketKey = managerKey(bucket);
    let existing = managers.get(bucketKey);
    if (existing === undefined) {
      const firstManager = managers.get(first);
      managers.delete(first);
      existing = { ...bucket, set: firstManager?.set ?? new FieldSet(), time: firstManager?.time };
      managers.set(bucketKey, existing);
    }
    existing.set = existing.set.union(m.set);
    existing.time = m.time;
    managers.delete(key);
    count--;
  }
}
