/**
 * Discovery documents built from the served resources: aggregated (apidiscovery.k8s.io
 * v2/v2beta1 APIGroupDiscoveryList) and legacy (APIVersions, APIGroupList, APIGroup,
 * APIResourceList), with upstream's shapes, preferred versions and storage version hashes.
 */
import { createHash } from 'node:crypto';
import { apiVersionOf } from '../../api/object.ts';
import type { ResourceDescription } from '../../api/resource.ts';
import type { DiscoveryVersion } from './negotiate.ts';

/** Upstream's version ordering: GA before beta before alpha, higher numbers first, others last alphabetically. */
export function compareKubeVersions(a: string, b: string): number {
  const rank = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (m === null) {
      return undefined;
    }
    const stability = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [stability, Number(m[1]), m[3] === undefined ? 0 : Number(m[3])];
  };
  const ra = rank(a);
  const rb = rank(b);
  if (ra === undefined || rb === undefined) {
    return ra !== undefined ? -1 : rb !== undefined ? 1 : a.localeCompare(b);
  }
  return rb[0] - ra[0] || rb[1] - ra[1] || rb[2] - ra[2];
}

/** Upstream's storageVersionHash: base64 of the first 8 bytes of sha256("<group>/<version>/<kind>"). */
export function storageVersionHash(group: string, version: string, kind: string): string {
  return createHash('sha256').update(`${group}/${version}/${kind}`).digest().subarray(0, 8).toString('base64');
}

interface GroupEntry {
  readonly name: string;
  /** version → resources, versions sorted by preference. */
  readonly versions: [string, ResourceDescription[]][];
}

function groupResources(resources: readonly ResourceDescription[]): GroupEntry[] {
  const groups = new Map<string, Map<string, ResourceDescription[]>>();
  for (const r of resources) {
    let versions = groups.get(r.group);
    if (versions === undefined) {
      versions = new Map();
      groups.set(r.group, versions);
    }
    const list = versions.get(r.version) ?? [];
    if (!list.some((x) => x.resource === r.resource)) {
      list.push(r);
    }
    versions.set(r.version, list);
  }
  return [...groups].map(([name, versions]) => ({ name, versions: [...versions].sort((a, b) => compareKubeVersions(a[0], b[0])) }));
}

function groupVersionEntry(group: string, version: string): { groupVersion: string; version: string } {
  return { groupVersion: apiVersionOf(group, version), version };
}

function legacyResources(group: string, version: string, resources: readonly ResourceDescription[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const r of resources) {
    const entry: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: [...r.verbs] };
    if (r.shortNames.length > 0) {
      entry.shortNames = [...r.shortNames];
    }
    if (r.categories.length > 0) {
      entry.categories = [...r.categories];
    }
    // Create-only resources (reviews) are never stored, and upstream gives them no hash.
    if (!(r.verbs.length === 1 && r.verbs[0] === 'create')) {
      entry.storageVersionHash = storageVersionHash(group, version, r.kind);
    }
    out.push(entry);
    for (const s of r.subresources) {
      const sub: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced };
      if (s.group !== group || s.version !== version) {
        sub.group = s.group;
        sub.version = s.version;
      }
      sub.kind = s.kind;
      sub.verbs = [...s.verbs];
      out.push(sub);
    }
  }
  return out;
}

function aggregatedResources(resources: readonly ResourceDescription[]): Record<string, unknown>[] {
  return resources.map((r) => {
    const entry: Record<string, unknown> = {
      resource: r.resource,
      responseKind: { group: r.group, version: r.version, kind: r.kind },
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singular,
      verbs: [...r.verbs],
    };
    if (r.shortNames.length > 0) {
      entry.shortNames = [...r.shortNames];
    }
    if (r.categories.length > 0) {
      entry.categories = [...r.categories];
    }
    if (r.subresources.length > 0) {
      entry.subresources = r.subresources.map((s) => ({ subresource: s.name, responseKind: { group: s.group, version: s.version, kind: s.kind }, verbs: [...s.verbs] }));
    }
    return entry;
  });
}

/** Every discovery document for one set of served resources (built once, served many times). */
export interface DiscoveryDocuments {
  apiVersions(serverAddress: string): Record<string, unknown>;
  apiGroupList(): Record<string, unknown>;
  apiGroup(group: string): Record<string, unknown> | undefined;
  resourceList(group: string, version: string): Record<string, unknown> | undefined;
  aggregated(which: 'api' | 'apis', version: DiscoveryVersion): Record<string, unknown>;
}

/** Builds the discovery documents from the served resources. */
export function buildDiscovery(resources: readonly ResourceDescription[]): DiscoveryDocuments {
  const groups = groupResources(resources);
  const core = groups.find((g) => g.name === '');
  const named = groups.filter((g) => g.name !== '');
  const apiGroupJson = (g: GroupEntry): Record<string, unknown> => ({
    name: g.name,
    versions: g.versions.map(([v]) => groupVersionEntry(g.name, v)),
    preferredVersion: groupVersionEntry(g.name, g.versions[0][0]),
  });
  const aggregatedGroup = (g: GroupEntry): Record<string, unknown> => ({
    metadata: g.name === '' ? { creationTimestamp: null } : { name: g.name, creationTimestamp: null },
    versions: g.versions.map(([v, rs]) => ({ version: v, resources: aggregatedResources(rs), freshness: 'Current' })),
  });
  return {
    apiVersions: (serverAddress) => ({
      kind: 'APIVersions',
      versions: core === undefined ? [] : core.versions.map(([v]) => v),
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    }),
    apiGroupList: () => ({ kind: 'APIGroupList', apiVersion: 'v1', groups: named.map(apiGroupJson) }),
    apiGroup: (group) => {
      const g = named.find((x) => x.name === group);
      return g === undefined ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...apiGroupJson(g) };
    },
    resourceList: (group, version) => {
      const rs = groups.find((g) => g.name === group)?.versions.find(([v]) => v === version)?.[1];
      if (rs === undefined) {
        return undefined;
      }
      // Upstream's /api/v1 document carries no apiVersion; the named groups' documents do.
      const typeMeta = group === '' ? { kind: 'APIResourceList' } : { kind: 'APIResourceList', apiVersion: 'v1' };
      return { ...typeMeta, groupVersion: apiVersionOf(group, version), resources: legacyResources(group, version, rs) };
    },
    aggregated: (which, version) => ({
      kind: 'APIGroupDiscoveryList',
      apiVersion: `apidiscovery.k8s.io/${version}`,
      metadata: {},
      items: which === 'api' ? (core === undefined ? [] : [aggregatedGroup(core)]) : named.map(aggregatedGroup),
    }),
  };
}
