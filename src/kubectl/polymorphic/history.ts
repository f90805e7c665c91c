/**
 * Rollout history and rollback for Deployments (their ReplicaSets) and DaemonSets/StatefulSets
 * (their ControllerRevisions), as upstream's history and rollback helpers.
 */
import type { KubeObject } from '../../api/object.ts';
import { labelSelectorFromMeta } from '../../api/selectors/index.ts';
import type { LabelSelectorMeta } from '../../api/selectors/index.ts';
import type { RestClient } from '../../client/rest.ts';
import { PatchType } from '../../client/rest.ts';
import { REVISION_ANNOTATION } from './statusviewer.ts';

/** `kubernetes.io/change-cause`. */
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';

interface Owned extends KubeObject {
  readonly spec?: { readonly selector?: unknown; readonly template?: Record<string, unknown>; readonly paused?: boolean };
  readonly revision?: number;
  readonly data?: unknown;
}

/** One revision of a workload. */
export interface Revision {
  readonly revision: number;
  readonly changeCause: string;
  /** The ReplicaSet or ControllerRevision behind it. */
  readonly source: Owned;
}

function controlledBy(obj: KubeObject, uid: string | undefined): boolean {
  return obj.metadata.ownerReferences?.some((r) => r.controller === true && r.uid === uid) === true;
}

/** The workload's revisions (unsorted); Deployments from ReplicaSets, others from ControllerRevisions. */
export async function revisionsOf(client: RestClient, kind: string, workload: Owned): Promise<Revision[]> {
  const namespace = workload.metadata.namespace;
  const selector = labelSelectorFromMeta(workload.spec?.selector as LabelSelectorMeta | undefined).toString();
  if (kind === 'Deployment') {
    const rss = await client.list<Owned>({ group: 'apps', version: 'v1', resource: 'replicasets', namespace }, { labelSelector: selector });
    return rss.items
      .filter((rs) => controlledBy(rs, workload.metadata.uid))
      .flatMap((rs) => {
        const v = Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? '');
        return Number.isInteger(v) && (rs.metadata.annotations?.[REVISION_ANNOTATION] ?? '') !== '' ? [{ revision: v, changeCause: rs.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? '', source: rs }] : [];
      });
  }
  const crs = await client.list<Owned>({ group: 'apps', version: 'v1', resource: 'controllerrevisions', namespace }, { labelSelector: selector });
  return crs.items.filter((cr) => controlledBy(cr, workload.metadata.uid)).map((cr) => ({ revision: cr.revision ?? 0, changeCause: cr.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION] ?? '', source: cr }));
}

/**
 * Go's tabwriter (default: kubectl's tabbedString, padding 2; printers.GetNewTabWriter is
 * minWidth 6, padding 3): every column but the last padded to its widest cell.
 */
export function tabbed(rows: readonly (readonly string[])[], padding = 2, minWidth = 0): string {
  const widths: number[] = [];
  for (const r of rows) {
    r.forEach((c, i) => {
      if (i < r.length - 1) {
        widths[i] = Math.max(widths[i] ?? 0, c.length + padding, minWidth);
      }
    });
  }
  return rows.map((r) => r.map((c, i) => (i < r.length - 1 ? c.padEnd(widths[i] ?? 0) : c)).join('') + '\n').join('');
}

/** The `REVISION  CHANGE-CAUSE` table, or upstream's "No rollout history found.". */
export function historyTable(revisions: readonly Revision[]): string {
  if (revisions.length === 0) {
    return 'No rollout history found.';
  }
  const byRev = new Map<number, Revision>();
  for (const r of revisions) {
    byRev.set(r.revision, r);
  }
  const sorted = [...byRev.keys()].sort((a, b) => a - b);
  return tabbed([['REVISION', 'CHANGE-CAUSE'], ...sorted.map((n) => [String(n), byRev.get(n)?.changeCause || '<none>'])]);
}

/** The revision to roll back to: `to`, or the one before the latest (0); errors as upstream. */
export function pickRollbackRevision(kind: string, name: string, revisions: readonly Revision[], to: number): Revision {
  if (to < 0) {
    throw new Error(`unable to find specified revision ${to} in history`);
  }
  if (to > 0) {
    const r = revisions.find((x) => x.revision === to);
    if (r === undefined) {
      throw new Error(`unable to find specified revision ${to} in history`);
    }
    return r;
  }
  const sorted = [...revisions].sort((a, b) => b.revision - a.revision);
  const previous = sorted[1];
  if (previous === undefined) {
    throw new Error(kind === 'Deployment' ? `no rollout history found for deployment "${name}"` : 'no last revision to roll back to');
  }
  return previous;
}

function stripHash(template: Record<string, unknown> | undefined): unknown {
  const t = structuredClone(template ?? {}) as { metadata?: { labels?: Record<string, string> } };
  delete t.metadata?.labels?.['pod-template-hash'];
  if (t.metadata?.labels !== undefined && Object.keys(t.metadata.labels).length === 0) {
    delete t.metadata.labels;
  }
  return t;
}

function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1))) : x));
}

const annotationsToSkip = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/** Rolls `workload` back to `target`; resolves with the name printer's operation (`rolled back` / `skipped rollback (...)`). */
export async function rollback(client: RestClient, kind: string, workload: Owned, target: Revision, to: number, dryRunServer: boolean): Promise<string> {
  const namespace = workload.metadata.namespace;
  const name = workload.metadata.name ?? '';
  const query = dryRunServer ? { dryRun: 'All' } : undefined;
  if (kind === 'Deployment') {
    if (workload.spec?.paused === true) {
      throw new Error("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again");
    }
    const template = target.source.spec?.template;
    if (canonical(stripHash(template)) === canonical(stripHash(workload.spec?.template))) {
      return `skipped rollback (current template already matches revision ${to})`;
    }
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(workload.metadata.annotations ?? {})) {
      if (annotationsToSkip.has(k)) {
        annotations[k] = v;
      }
    }
    for (const [k, v] of Object.entries(target.source.metadata.annotations ?? {})) {
      if (!annotationsToSkip.has(k)) {
        annotations[k] = v;
      }
    }
    const patch = [
      { op: 'replace', path: '/spec/template', value: stripHash(template) },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ];
    try {
      await client.patch({ group: 'apps', version: 'v1', resource: 'deployments', namespace, name }, patch, PatchType.Json, query);
    } catch (e) {
      throw new Error(`failed restoring revision ${to}: ${(e as Error).message}`);
    }
    return 'rolled back';
  }
  const data = (target.source.data ?? {}) as { spec?: { template?: unknown } };
  if (canonical(data.spec?.template) === canonical(workload.spec?.template)) {
    return `skipped rollback (current template already matches revision ${to})`;
  }
  const resource = kind === 'DaemonSet' ? 'daemonsets' : 'statefulsets';
  await client.patch({ group: 'apps', version: 'v1', resource, namespace, name }, data, PatchType.StrategicMerge, query);
  return 'rolled back';
}

/** The pod template a revision recorded: a ReplicaSet's template with its change-cause added, or a ControllerRevision's patch template. */
export function revisionTemplate(kind: string, r: Revision): Record<string, unknown> {
  if (kind === 'Deployment') {
    const template = structuredClone(r.source.spec?.template ?? {}) as { metadata?: { annotations?: Record<string, string> } };
    if (r.changeCause !== '') {
      template.metadata = { ...(template.metadata ?? {}), annotations: { ...(template.metadata?.annotations ?? {}), [CHANGE_CAUSE_ANNOTATION]: r.changeCause } };
    }
    return template as Record<string, unknown>;
  }
  // applying the revision's strategic patch replaces the template wholesale ($patch: replace)
  const data = (r.source.data ?? {}) as { spec?: { template?: Record<string, unknown> } };
  const template = { ...(data.spec?.template ?? {}) };
  delete template.$patch;
  return template;
}
