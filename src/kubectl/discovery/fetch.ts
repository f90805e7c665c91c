/**
 * Fetches discovery from the server: aggregated discovery (apidiscovery.k8s.io/v2, recognised by
 * its response Content-Type, as client-go does) for /api and /apis, else the legacy documents
 * (/api, /apis, then every group-version), and turns either into APIGroupList + APIResourceLists.
 */
import type { RestClient } from '../../client/rest.ts';
import type { APIGroup, APIGroupList, APIResource, APIResourceList, DiscoveredGroups } from './types.ts';

/** The Accept header kubectl 1.35 sends for /api and /apis. */
export const AGGREGATED_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

interface AggregatedResource {
  resource: string;
  responseKind?: { group?: string; version?: string; kind?: string };
  scope?: string;
  singularResource?: string;
  verbs?: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: { subresource: string; responseKind?: { group?: string; version?: string; kind?: string }; verbs?: string[] }[];
}

interface AggregatedGroup {
  metadata?: { name?: string };
  versions?: { version: string; resources?: AggregatedResource[] }[];
}

function isAggregated(contentType: unknown): boolean {
  return typeof contentType === 'string' && contentType.includes('as=APIGroupDiscoveryList') && contentType.includes('g=apidiscovery.k8s.io');
}

function fromAggregated(items: readonly AggregatedGroup[], groups: APIGroup[], resources: Map<string, APIResourceList>): void {
  for (const item of items) {
    const name = item.metadata?.name ?? '';
    const versions = (item.versions ?? []).map((v) => ({ groupVersion: name === '' ? v.version : `${name}/${v.version}`, version: v.version }));
    if (versions.length === 0) {
      continue;
    }
    groups.push({ name, versions, preferredVersion: versions[0] });
    for (const v of item.versions ?? []) {
      const gv = name === '' ? v.version : `${name}/${v.version}`;
      const list: APIResource[] = [];
      for (const r of v.resources ?? []) {
        const namespaced = r.scope === 'Namespaced';
        const singular = r.singularResource ?? '';
        const base: APIResource = { name: r.resource, singularName: singular, namespaced, group: r.responseKind?.group ?? name, version: r.responseKind?.version ?? v.version, kind: r.responseKind?.kind ?? '', verbs: r.verbs ?? [] };
        if (r.shortNames !== undefined && r.shortNames.length > 0) {
          base.shortNames = r.shortNames;
        }
        if (r.categories !== undefined && r.categories.length > 0) {
          base.categories = r.categories;
        }
        list.push(base);
        for (const s of r.subresources ?? []) {
          list.push({ name: `${r.resource}/${s.subresource}`, singularName: singular, namespaced, group: s.responseKind?.group ?? name, version: s.responseKind?.version ?? v.version, kind: s.responseKind?.kind ?? '', verbs: s.verbs ?? [] });
        }
      }
      resources.set(gv, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: list });
    }
  }
}

async function getAggregated(client: RestClient, path: string): Promise<{ aggregated: boolean; body: unknown }> {
  const r = await client.raw({ method: 'GET', path, query: { timeout: '32s' }, accept: AGGREGATED_ACCEPT });
  if (r.status < 200 || r.status > 299) {
    const { errorFromResponse } = await import('../../client/status.ts');
    throw errorFromResponse(r.status, r.body);
  }
  return { aggregated: isAggregated(r.headers['content-type']), body: JSON.parse(r.body) as unknown };
}

/** Reads the whole discovery from the server. */
export async function fetchDiscovery(client: RestClient): Promise<DiscoveredGroups> {
  const [core, apis] = await Promise.all([getAggregated(client, '/api'), getAggregated(client, '/apis')]);
  const groups: APIGroup[] = [];
  const resources = new Map<string, APIResourceList>();
  if (core.aggregated && apis.aggregated) {
    const items = (b: unknown): AggregatedGroup[] => ((b as { items?: AggregatedGroup[] }).items ?? []);
    fromAggregated([...items(core.body), ...items(apis.body)], groups, resources);
    return { groups: { kind: 'APIGroupList', apiVersion: 'v1', groups }, resources };
  }
  // Legacy discovery: /api lists core versions, /apis the groups; each group-version is its own GET.
  const coreVersions = ((core.body as { versions?: string[] }).versions ?? []).map((v) => ({ groupVersion: v, version: v }));
  if (coreVersions.length > 0) {
    groups.push({ name: '', versions: coreVersions, preferredVersion: coreVersions[0] });
  }
  groups.push(...((apis.body as { groups?: APIGroup[] }).groups ?? []));
  const gvs = groups.flatMap((g) => g.versions.map((v) => v.groupVersion));
  const lists = await Promise.all(
    gvs.map(async (gv) => {
      try {
        return await client.request<APIResourceList>({ method: 'GET', path: gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`, query: { timeout: '32s' } });
      } catch {
        return undefined;
      }
    }),
  );
  gvs.forEach((gv, i) => {
    const l = lists[i];
    if (l !== undefined) {
      resources.set(gv, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources: l.resources ?? [] });
    }
  });
  return { groups: { kind: 'APIGroupList', apiVersion: 'v1', groups }, resources };
}
