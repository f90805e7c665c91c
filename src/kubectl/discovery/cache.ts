/**
 * kubectl's on-disk discovery cache, in upstream's own layout so real kubectl and ours share it:
 * `<cacheDir>/discovery/<host_port>/servergroups.json` and `…/<group>/<version>/serverresources.json`,
 * fresh for 6 hours (by file mtime), files 0660 in 0750 directories.
 */
import { dirname, join } from 'node:path';
import type { APIGroup, APIGroupList, APIResourceList, DiscoveredGroups, GroupVersionForDiscovery } from './types.ts';

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
