/** Upstream's naming of OpenAPI paths, operation ids and tags for a group-version. */
import type { ResourceDescription } from '../resource.ts';

/** `api/v1` for the core group, `apis/<group>/<version>` otherwise (the /openapi/v3 key). */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** The group-version part of a resource's URLs, e.g. `/apis/apps/v1`. */
export function urlBase(r: Pick<ResourceDescription, 'group' | 'version'>): string {
  return `/${groupVersionPath(r.group, r.version)}`;
}

function groupWords(group: string): string[] {
  if (group === '') {
    return ['core'];
  }
  return group
    .replace(/\.k8s\.io$/, '')
    .split(/[.-]/)
    .filter((w) => w !== '');
}

const capitalize = (w: string): string => (w === '' ? w : w[0]!.toUpperCase() + w.slice(1));

/** Operation-id infix: `CoreV1`, `AppsV1`, `RbacAuthorizationV1`, `StableExampleComV1`. */
export function operationGroupVersion(group: string, version: string): string {
  return `${groupWords(group).map(capitalize).join('')}${capitalize(version)}`;
}

/** Tag: `core_v1`, `apps_v1`, `rbacAuthorization_v1`. */
export function operationTag(group: string, version: string): string {
  const words = groupWords(group);
  return `${words[0] ?? ''}${words.slice(1).map(capitalize).join('')}_${version}`;
}
