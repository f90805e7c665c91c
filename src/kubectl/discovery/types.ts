/** Discovery documents as the API server serves them and as kubectl caches them on disk. */

/** `metav1.APIResource` (one entry of an APIResourceList). */
export interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  group?: string;
  version?: string;
  kind: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

/** `metav1.APIResourceList`: what `<cache>/<group>/<version>/serverresources.json` holds. */
export interface APIResourceList {
  kind: 'APIResourceList';
  apiVersion: 'v1';
  groupVersion: string;
  resources: APIResource[];
}

/** `metav1.GroupVersionForDiscovery` */
export interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

/** `metav1.APIGroup` */
export interface APIGroup {
  name: string;
  versions: GroupVersionForDiscovery[];
  preferredVersion?: GroupVersionForDiscovery;
}

/** `metav1.APIGroupList`: what `<cache>/servergroups.json` holds (the core group first, named ''). */
export interface APIGroupList {
  kind: 'APIGroupList';
  apiVersion: 'v1';
  groups: APIGroup[];
}

/** One group's discovery, in server order: versions preferred-first, resources as served. */
export interface DiscoveredGroups {
  readonly groups: APIGroupList;
  /** groupVersion (`v1`, `apps/v1`) → its resources (subresources included, named `pods/log`). */
  readonly resources: ReadonlyMap<string, APIResourceList>;
}
