/**
 * Empties a terminating namespace like upstream's NamespacedResourcesDeleter: every namespaced
 * resource that can be listed and deleted is deleted (deletecollection when served, else one
 * by one), then listed again; what remains — and what still carries finalizers — is reported
 * as namespace conditions.
 */
import type { KubeObject } from '../../api/object.ts';
import { isNotFound } from '../../api/errors.ts';
import type { RestClient } from '../../client/index.ts';
import type { DiscoveredResource } from '../manager/discovery.ts';

/** A namespace status condition as upstream writes them. */
export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False';
  lastTransitionTime: string;
  reason: string;
  message?: string;
}

/** What one pass over a namespace found. */
export interface DeletionPass {
  /** Instances remaining per resource (`pods.` style, like upstream's messages). */
  readonly remaining: ReadonlyMap<string, number>;
  /** Finalizer → instances still carrying it. */
  readonly finalizersRemaining: ReadonlyMap<string, number>;
  /** Errors deleting content, one line each. */
  readonly errors: readonly string[];
  /** Seconds until pods are expected to be gone (longest remaining grace period). */
  readonly estimateSeconds: number;
}

type NsClient = Pick<RestClient, 'list' | 'delete' | 'request'>;

function groupResource(r: DiscoveredResource): string {
  return `${r.resource}.${r.group}`;
}

/** Deletes everything deletable in `namespace` once and reports what is left. */
export async function deleteNamespaceContent(client: NsClient, namespace: string, resources: readonly DiscoveredResource[]): Promise<DeletionPass> {
  const remaining = new Map<string, number>();
  const finalizersRemaining = new Map<string, number>();
  const errors: string[] = [];
  let estimateSeconds = 0;
  for (const r of resources) {
    if (!r.namespaced || !r.verbs.includes('list') || !(r.verbs.includes('delete') || r.verbs.includes('deletecollection'))) {
      continue;
    }
    const ref = { group: r.group, version: r.version, resource: r.resource, namespace };
    try {
      if (r.verbs.includes('deletecollection')) {
        await client.delete(ref, { propagationPolicy: 'Background' });
      }
      const list = await client.list<KubeObject>(ref);
      let left = 0;
      for (const item of list.items) {
        if (item.metadata.deletionTimestamp === undefined && !r.verbs.includes('deletecollection')) {
          await client.delete({ ...ref, name: item.metadata.name }, { propagationPolicy: 'Background' }).catch((e: unknown) => {
            if (!isNotFound(e)) {
              throw e;
            }
          });
        }
        left++;
        for (const f of item.metadata.finalizers ?? []) {
          finalizersRemaining.set(f, (finalizersRemaining.get(f) ?? 0) + 1);
        }
        if (r.group === '' && r.resource === 'pods') {
          const grace = item.metadata.deletionGracePeriodSeconds ?? (item.spec as { terminationGracePeriodSeconds?: number } | undefined)?.terminationGracePeriodSeconds ?? 30;
          estimateSeconds = Math.max(estimateSeconds, grace);
        }
      }
      if (left > 0) {
        remaining.set(groupResource(r), left);
      }
    } catch (e) {
      if (!isNotFound(e)) {
        errors.push(`${groupResource(r)}: ${(e as Error).message}`);
      }
    }
  }
  return { remaining, finalizersRemaining, errors, estimateSeconds };
}

function sortedPairs(m: ReadonlyMap<string, number>): [string, number][] {
  return [...m.entries()].sort(([a], [b]) => a.localeCompare(b));
}

/** The five deletion conditions upstream keeps on a terminating namespace, from one pass. */
export function deletionConditions(pass: DeletionPass, discoveryError: string | undefined, now: string): NamespaceCondition[] {
  const cond = (type: string, bad: boolean, okReason: string, badReason: string, message: string | undefined): NamespaceCondition => ({
    type,
    status: bad ? 'True' : 'False',
    lastTransitionTime: now,
    reason: bad ? badReason : okReason,
    ...(bad && message !== undefined ? { message } : {}),
  });
  const remaining = sortedPairs(pass.remaining).map(([r, n]) => `${r} has ${n} resource instances`).join(', ');
  const finalizers = sortedPairs(pass.finalizersRemaining).map(([f, n]) => `${f} in ${n} resource instances`).join(', ');
  return [
    cond('NamespaceDeletionDiscoveryFailure', discoveryError !== undefined, 'ResourcesDiscovered', 'DiscoveryFailed', `Discovery failed for some groups: ${discoveryError ?? ''}`),
    cond('NamespaceDeletionGroupVersionParsingFailure', false, 'ParsedGroupVersions', 'GroupVersionParsingFailed', undefined),
    cond('NamespaceDeletionContentFailure', pass.errors.length > 0, 'ContentDeleted', 'ContentDeletionFailed', `Failed to delete all resource types, ${pass.errors.length} remaining: ${pass.errors.join(', ')}`),
    cond('NamespaceContentRemaining', pass.remaining.size > 0, 'ContentRemoved', 'SomeResourcesRemain', `Some resources are remaining: ${remaining}`),
    cond('NamespaceFinalizersRemaining', pass.finalizersRemaining.size > 0, 'ContentHasNoFinalizers', 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${finalizers}`),
  ];
}
