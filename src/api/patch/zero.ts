/**
 * The zero value of built-in kinds as upstream serializes it: Go structs that are not
 * pointers and lists without omitempty are present (as `{}` / `null`) in an empty object.
 * Upstream computes a create's managed fields against that value, so those containers
 * are not "added" and carry no `.` of their own.
 */
import type { GroupVersionKind } from '../object.ts';
import { isBuiltinKind } from './builtin-groups.ts';
import { clone, isObject } from './json-values.ts';
import type { JsonObject } from './json-values.ts';

const podTemplate = { metadata: {}, spec: { containers: null } };

const ZERO_VALUES: Readonly<Record<string, JsonObject>> = {
  'apps/Deployment': { spec: { selector: null, template: podTemplate, strategy: {} }, status: {} },
  'apps/ReplicaSet': { spec: { selector: null, template: podTemplate }, status: {} },
  'apps/StatefulSet': { spec: { selector: null, template: podTemplate, updateStrategy: {} }, status: {} },
  'apps/DaemonSet': { spec: { selector: null, template: podTemplate, updateStrategy: {} }, status: {} },
  'apps/ControllerRevision': { data: {} },
  'batch/Job': { spec: { template: podTemplate }, status: {} },
  'batch/CronJob': { spec: { jobTemplate: { metadata: {}, spec: { template: podTemplate } } }, status: {} },
  '/Pod': { spec: { containers: null }, status: {} },
  '/PodTemplate': { template: podTemplate },
  '/Service': { spec: {}, status: { loadBalancer: {} } },
  '/Node': { spec: {}, status: { daemonEndpoints: { kubeletEndpoint: {} }, nodeInfo: {} } },
  '/PersistentVolumeClaim': { spec: { resources: {} }, status: {} },
};

/** What a created object of `gvk` is compared against: its kind's zero value, limited to what `created` sets. */
export function zeroValueFor(gvk: GroupVersionKind, created: JsonObject): JsonObject {
  const base: JsonObject = { metadata: {} };
  const known = ZERO_VALUES[`${gvk.group}/${gvk.kind}`];
  if (known !== undefined) {
    for (const [k, v] of Object.entries(known)) {
      if (created[k] !== undefined) {
        base[k] = clone(v);
      }
    }
    return base;
  }
  if (isBuiltinKind(gvk)) {
    // Most built-in kinds have non-pointer spec and status structs.
    for (const k of ['spec', 'status']) {
      if (isObject(created[k])) {
        base[k] = {};
      }
    }
  }
  return base;
}
