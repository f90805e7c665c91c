/** Server discovery for controllers that work on every resource (garbage collector, namespace deletion). */
import type { RestClient } from '../../client/index.ts';

/** One served resource (preferred version of its group), as discovery describes it. */
export interface DiscoveredResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

interface ApiResourceList {
  readonly resources?: readonly { name: string; kind: string; namespaced: boolean; verbs?: readonly string[] }[];
}

interface ApiGroupList {
  readonly groups?: readonly { name: string; preferredVersion?: { version: string }; versions?: readonly { version: string }[] }[];
}

async function resourcesOf(client: RestClient, path: string, group: string, version: string): Promise<DiscoveredResource[]> {
  const list = await client.request<ApiResourceList>({ method: 'GET', path });
  return (list.resources ?? [])
    .filter((r) => !r.name.includes('/'))
    .map((r) => ({ group, version, resource: r.name, kind: r.kind, namespaced: r.namespaced, verbs: r.verbs ?? [] }));
}

/** Every top-level resource of the preferred version of each group (core `v1` included). */
export async function discoverResources(client: RestClient): Promise<DiscoveredResource[]> {
  const out = await resourcesOf(client, '/api/v1', '', 'v1');
  const groups = await client.request<ApiGroupList>({ method: 'GET', path: '/apis' });
  const perGroup = await Promise.all(
    (groups.groups ?? []).map(async (g) => {
      const version = g.preferredVersion?.version ?? g.versions?.[0]?.version;
      if (version === undefined) {
        return [];
      }
      return resourcesOf(client, `/apis/${g.name}/${version}`, g.name, version).catch(() => []);
    }),
  );
  return out.concat(...perGroup);
}

/** The `apiVersion` string for a group/version. */
export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}
