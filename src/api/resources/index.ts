/**
 * The catalogue of built-in resources served by the API server, in upstream's discovery
 * order (core first; `kubectl get all` walks the `all` category in this order: pods,
 * services, replicationcontrollers, deployments, replicasets, statefulsets, daemonsets,
 * jobs, cronjobs, horizontalpodautoscalers), and the description of custom resources.
 */
import type { ResourceDescription } from '../resource.ts';
import { coreRest, pods, replicationControllers, services } from './core.ts';
import { appsResources, autoscalingResources, batchResources, otherGroupResources } from './groups.ts';

export { customResourceDescription } from './custom.ts';
export { coreEventToEventsV1, eventsV1ToCoreEvent } from './events.ts';
export { hpaV1ToV2, hpaV2ToV1, HpaV1Annotations } from './hpa-versions.ts';
export { allVerbs, describe, readPath, stringField, boolField, intField, sub, verbsNoDeleteCollection } from './describe.ts';
export type { ResourceSpec } from './describe.ts';

/** Every built-in resource, one entry per group/version/resource. */
export const builtinResources: readonly ResourceDescription[] = [
  pods,
  services,
  replicationControllers,
  ...coreRest,
  ...appsResources,
  ...batchResources,
  ...autoscalingResources,
  ...otherGroupResources,
];

/** The built-in description for `group`/`resource` (any version served), if any. */
export function findBuiltin(group: string, resource: string): ResourceDescription | undefined {
  return builtinResources.find((d) => d.group === group && d.resource === resource);
}
