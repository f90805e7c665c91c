/**
 * Discovery for kubectl verbs: served from the on-disk cache when fresh, else fetched (aggregated
 * when the server offers it) and cached; resolves what users type (`po`, `pods`, `Pod`,
 * `deployments.apps`, `deploy.v1.apps`) the way kubectl's shortcut expander + REST mapper do.
 * The cache is upstream's own layout, so real kubectl and ours share it:
 * `<cacheDir>/discovery/<host_port>/servergroups.json` and `…/<group>/<version>/serverresources.json`,
 * fresh for 6 hours (by file mtime), files 0660 in 0750 directories.
 */
import { dirname, join } from 'node:path';
import type { RestClient } from '../../client/rest.ts';
import { CliError } from '../command.ts';
import type { Discovery, ResourceMapping } from '../command.ts';
import type { APIGroup, APIGroupList, APIResource, APIResourceList, DiscoveredGroups, GroupVersionForDiscovery } from './types.ts';

export type { APIGroupList, APIResourceList, APIResource, DiscoveredGroups } from './types.ts';

// The disk cache (one module with the rest of discovery: each ES module costs start-up time).

// node:fs without an ESM import: that facade reads fs.promises, which loads fs/promises and readline (start-up time).
const { mkdirSync, readFileSync, renameSync, statSync, writeFileSync, rmSync } = process.getBuiltinModule('node:fs');

/** How long cached discovery is used without asking the server (kubectl's default). */
export const DISCOVERY_TTL_MS = 6 * 3600 * 1000;

/** `<cacheDir>/discovery/<host_port>`: the scheme dropped, characters other than word, `/` and `.` turned into `_`. */
export function discoveryCacheDir(cacheDir: string, server: string): string {
  const host = server.replace(/^[a-z]+:\/\//i, '');
  return join(cacheDir, 'discovery', host.replace(/[^\w/.]/g, '_'));
}

function gvPath(dir: string, gv: string): string {
  return join(dir, gv, 'serverresources.json');
}

function writeAtomic(path: string, data: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o750 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data, { mode: 0o660 });
  renameSync(tmp, path);
}

function isFresh(file: string, now: number): boolean {
  return now - statSync(file).mtimeMs <= DISCOVERY_TTL_MS;
}

/** servergroups.json when it and every group-version file it names are present and fresh (only stat'ed); else undefined. */
function readFreshGroups(dir: string, now: number): APIGroupList | undefined {
  const groupsFile = join(dir, 'servergroups.json');
  if (!isFresh(groupsFile, now)) {
    return undefined;
  }
  const groups = JSON.parse(readFileSync(groupsFile, 'utf8')) as APIGroupList;
  for (const g of groups.groups ?? []) {
    for (const v of g.versions) {
      if (!isFresh(gvPath(dir, v.groupVersion), now)) {
        return undefined;
      }
    }
  }
  return groups;
}

function readResources(dir: string, gv: string): APIResourceList {
  return JSON.parse(readFileSync(gvPath(dir, gv), 'utf8')) as APIResourceList;
}

/** Reads the cache if every file is present and fresh; undefined otherwise. */
export function readDiscoveryCache(dir: string, now = Date.now()): DiscoveredGroups | undefined {
  try {
    const groups = readFreshGroups(dir, now);
    if (groups === undefined) {
      return undefined;
    }
    const resources = new Map<string, APIResourceList>();
    for (const g of groups.groups ?? []) {
      for (const v of g.versions) {
        resources.set(v.groupVersion, readResources(dir, v.groupVersion));
      }
    }
    return { groups, resources };
  } catch {
    return undefined;
  }
}

/**
 * The first group's preferred group-version (the core group's `v1` on every Kubernetes server) and
 * its resources, when the whole cache is present and fresh, as readDiscoveryCache decides it, but
 * reading only that one group-version file; undefined otherwise.
 */
export function readFirstGroupCache(dir: string, now = Date.now()): { group: APIGroup; version: GroupVersionForDiscovery; resources: APIResourceList } | undefined {
  try {
    const group = readFreshGroups(dir, now)?.groups?.[0];
    const version = group?.preferredVersion ?? group?.versions[0];
    if (group === undefined || version === undefined) {
      return undefined;
    }
    return { group, version, resources: readResources(dir, version.groupVersion) };
  } catch {
    return undefined;
  }
}

/** Writes the cache (best effort: a read-only HOME must not fail the command). */
export function writeDiscoveryCache(dir: string, d: DiscoveredGroups): void {
  try {
    for (const [gv, list] of d.resources) {
      writeAtomic(gvPath(dir, gv), JSON.stringify(list));
    }
    writeAtomic(join(dir, 'servergroups.json'), JSON.stringify(d.groups));
  } catch {
    // kubectl carries on without a cache too.
  }
}

/** Drops the cached discovery for one server. */
export function clearDiscoveryCache(dir: string): void {
  // Best effort, as upstream: another kubectl may be writing into the same cache (ENOTEMPTY).
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // a stale file stays; its mtime still expires it
  }
}

function toMapping(r: APIResource, group: string, version: string): ResourceMapping {
  return {
    group,
    version,
    resource: r.name,
    kind: r.kind,
    namespaced: r.namespaced,
    verbs: r.verbs ?? [],
    shortNames: r.shortNames ?? [],
    singularName: r.singularName !== '' ? r.singularName : r.kind.toLowerCase(),
    categories: r.categories ?? [],
  };
}

/** Every top-level resource as a mapping, per group in server order, preferred version first. */
function mappings(d: DiscoveredGroups, preferredOnly: boolean): ResourceMapping[] {
  const out: ResourceMapping[] = [];
  for (const g of d.groups.groups) {
    const versions = preferredOnly ? [g.preferredVersion ?? g.versions[0]] : [...(g.preferredVersion === undefined ? [] : [g.preferredVersion]), ...g.versions.filter((v) => v.groupVersion !== g.preferredVersion?.groupVersion)];
    for (const v of versions) {
      if (v === undefined) {
        continue;
      }
      for (const r of d.resources.get(v.groupVersion)?.resources ?? []) {
        if (!r.name.includes('/')) {
          out.push(toMapping(r, g.name, v.version));
        }
      }
    }
  }
  return out;
}

interface Wanted {
  readonly resource: string;
  readonly group?: string;
  readonly version?: string;
}

/** The readings of a typed resource, most specific first (schema.ParseResourceArg). */
function readings(typed: string): Wanted[] {
  const parts = typed.toLowerCase().split('.');
  const out: Wanted[] = [];
  if (parts.length >= 3) {
    out.push({ resource: parts[0], version: parts[1], group: parts.slice(2).join('.') });
  }
  if (parts.length >= 2) {
    out.push({ resource: parts[0], group: parts.slice(1).join('.') });
  }
  out.push({ resource: typed.toLowerCase() });
  return out;
}

function match(all: readonly ResourceMapping[], w: Wanted): ResourceMapping | undefined {
  const fits = (m: ResourceMapping): boolean => (w.group === undefined || m.group === w.group) && (w.version === undefined || m.version === w.version);
  // As kubectl: a resource's own plural or singular name anywhere wins over short names (the shortcut
  // expander leaves exact names alone), the first in server order (the REST mapper's group priority);
  // then short names, then kinds.
  return (
    all.find((m) => fits(m) && (m.resource === w.resource || m.singularName === w.resource)) ??
    all.find((m) => fits(m) && m.shortNames.includes(w.resource)) ??
    all.find((m) => fits(m) && m.kind.toLowerCase() === w.resource)
  );
}

/** Discovery backed by the server and the on-disk cache; `groups()` exposes the raw documents (api-versions, api-resources). */
export class CachedDiscovery implements Discovery {
  private readonly client: RestClient;
  private readonly dir: string;
  private data: DiscoveredGroups | undefined;
  private fromCache = false;

  constructor(client: RestClient, cacheDir: string) {
    this.client = client;
    this.dir = discoveryCacheDir(cacheDir, client.connection.server);
  }

  /** The discovery documents (cache, else server). */
  async groups(): Promise<DiscoveredGroups> {
    if (this.data === undefined) {
      const cached = readDiscoveryCache(this.dir);
      if (cached !== undefined) {
        this.data = cached;
        this.fromCache = true;
      } else {
        // Loaded only when the disk cache is missing or stale.
        const { fetchDiscovery } = await import('./fetch.ts');
        this.data = await fetchDiscovery(this.client);
        this.fromCache = false;
        writeDiscoveryCache(this.dir, this.data);
      }
    }
    return this.data;
  }

  async invalidate(): Promise<void> {
    clearDiscoveryCache(this.dir);
    this.data = undefined;
    await this.groups();
  }

  /** Runs `find` on the discovery; on a miss with cached data, refetches once (as kubectl does). */
  private async lookup<T>(find: (d: DiscoveredGroups) => T | undefined): Promise<T | undefined> {
    const first = find(await this.groups());
    if (first !== undefined || !this.fromCache) {
      return first;
    }
    await this.invalidate();
    return find(await this.groups());
  }

  /**
   * The mapping when `typed` (a word without dots) is the plural or singular name of a resource in
   * the first group's preferred version: what resolve() would answer, since such a name is never
   * expanded as a short name or category and that group comes first. Reads servergroups.json and that
   * one group-version file of a fresh cache; undefined (nothing cached in memory) otherwise.
   */
  async exactInFirstGroup(typed: string): Promise<ResourceMapping | undefined> {
    if (this.data !== undefined || typed.includes('.')) {
      return undefined;
    }
    const first = readFirstGroupCache(this.dir);
    if (first === undefined) {
      return undefined;
    }
    const name = typed.toLowerCase();
    const r = first.resources.resources.find((x) => !x.name.includes('/') && (x.name === name || (x.singularName !== '' ? x.singularName : x.kind.toLowerCase()) === name));
    return r === undefined ? undefined : toMapping(r, first.group.name, first.version.version);
  }

  async resolve(typed: string): Promise<ResourceMapping> {
    const exact = await this.exactInFirstGroup(typed);
    if (exact !== undefined) {
      return exact;
    }
    const found = await this.lookup((d) => {
      const all = mappings(d, false);
      for (const w of readings(typed)) {
        const m = match(all, w);
        if (m !== undefined) {
          return m;
        }
      }
      return undefined;
    });
    if (found === undefined) {
      throw new CliError(`the server doesn't have a resource type "${typed}"`);
    }
    return found;
  }

  async forKind(apiVersion: string, kind: string): Promise<ResourceMapping> {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
    const found = await this.lookup((d) => mappings(d, false).find((m) => m.group === group && m.version === version && m.kind === kind));
    if (found === undefined) {
      throw new CliError(`no matches for kind "${kind}" in version "${apiVersion}"`);
    }
    return found;
  }

  async all(): Promise<readonly ResourceMapping[]> {
    return mappings(await this.groups(), true);
  }
}

/** The Discovery for a client, caching under `cacheDir` (normally ~/.kube/cache). */
export function createDiscovery(client: RestClient, cacheDir: string): CachedDiscovery {
  return new CachedDiscovery(client, cacheDir);
}
