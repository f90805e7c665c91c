/**
 * Moving an object from client-side to server-side apply (client-go's csaupgrade, as
 * `kubectl apply --server-side` uses it): who owns the last-applied annotation, and the JSON
 * patch that folds the client-side managers' fields into the server-side manager's entry.
 */

type Obj = Record<string, unknown>;

/** One metadata.managedFields entry, as far as the upgrade looks at it. */
interface Entry {
  manager?: string;
  operation?: string;
  subresource?: string;
  fieldsV1?: Obj;
  [k: string]: unknown;
}

const LAST_APPLIED_FIELD = 'f:kubectl.kubernetes.io/last-applied-configuration';

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function entriesOf(obj: Obj): Entry[] {
  const mf = (obj.metadata as Obj | undefined)?.managedFields;
  return Array.isArray(mf) ? (mf as Entry[]) : [];
}

function ownsLastApplied(e: Entry): boolean {
  const annotations = (e.fieldsV1?.['f:metadata'] as Obj | undefined)?.['f:annotations'];
  return isObj(annotations) && Object.hasOwn(annotations, LAST_APPLIED_FIELD);
}

/** Managers with `operation` that own the last-applied annotation (main resource only). */
export function lastAppliedOwners(obj: Obj, operation: 'Apply' | 'Update'): string[] {
  return entriesOf(obj)
    .filter((e) => e.operation === operation && (e.subresource ?? '') === '' && ownsLastApplied(e))
    .map((e) => e.manager ?? '');
}

function union(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const existing = out[k];
    out[k] = isObj(existing) && isObj(v) ? union(existing, v) : isObj(existing) ? existing : v;
  }
  return out;
}

function isCsa(e: Entry, csa: string): boolean {
  return e.manager === csa && e.operation === 'Update' && (e.subresource ?? '') === '';
}

function upgraded(entries: Entry[], csa: string, ssa: string): Entry[] {
  const copy = entries.map((e) => ({ ...e }));
  let target = copy.findIndex((e) => e.manager === ssa && e.operation === 'Apply' && (e.subresource ?? '') === '');
  if (target < 0) {
    target = copy.findIndex((e) => isCsa(e, csa));
    if (target < 0) {
      return copy;
    }
    copy[target] = { ...copy[target], operation: 'Apply', manager: ssa };
  }
  let fields = copy[target]?.fieldsV1 ?? {};
  for (const e of copy) {
    if (isCsa(e, csa)) {
      fields = union(fields, e.fieldsV1 ?? {});
    }
  }
  copy[target] = { ...copy[target], fieldsV1: fields };
  return copy.filter((e) => !isCsa(e, csa));
}

/** The JSON patch that upgrades `csaManagers` into `ssaManager`, or undefined when nothing changes. */
export function upgradeManagedFieldsPatch(obj: Obj, csaManagers: readonly string[], ssaManager: string): unknown[] | undefined {
  const before = entriesOf(obj);
  let after = before;
  for (const csa of new Set(csaManagers)) {
    after = upgraded(after, csa, ssaManager);
  }
  if (JSON.stringify(before) === JSON.stringify(after)) {
    return undefined;
  }
  return [
    { op: 'replace', path: '/metadata/managedFields', value: after },
    // "replace" rather than "test" so a race is a 409 from storage, as upstream explains
    { op: 'replace', path: '/metadata/resourceVersion', value: (obj.metadata as Obj | undefined)?.resourceVersion },
  ];
}
