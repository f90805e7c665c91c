/**
 * Building and merging kubeconfigs with kind's semantics: entries of the same name are
 * replaced in place, other entries are kept, new ones appended, and current-context is set.
 */
import { open, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadKubeconfig, userKubeconfigPath, writeKubeconfig } from './file.ts';
import type { Kubeconfig } from './types.ts';

/** The name k8ts gives its cluster, user and context in a user's kubeconfig. */
export const DEFAULT_CONTEXT_NAME = 'k8ts';

/** A one-context kubeconfig authenticating with a client certificate; CA, cert and key embedded. */
export function adminKubeconfig(server: string, caPem: string, clientCertPem: string, keyPem: string, name = DEFAULT_CONTEXT_NAME): Kubeconfig {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [{ name, user: { 'client-certificate-data': b64(clientCertPem), 'client-key-data': b64(keyPem) } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
    preferences: {},
  };
}

/** A one-context kubeconfig authenticating with a bearer token; CA embedded. */
export function tokenKubeconfig(server: string, caPem: string, token: string, name = DEFAULT_CONTEXT_NAME): Kubeconfig {
  const cfg = adminKubeconfig(server, caPem, '', '', name);
  cfg.users = [{ name, user: { token } }];
  return cfg;
}

function upsert<T extends { name: string }>(into: T[], from: readonly T[]): T[] {
  const out = [...into];
  for (const entry of from) {
    const i = out.findIndex((e) => e.name === entry.name);
    if (i >= 0) {
      out[i] = entry;
    } else {
      out.push(entry);
    }
  }
  return out;
}

/** `existing` with every cluster/user/context of `add` replaced-or-appended; current-context from `add` when set. Pure. */
export function mergeKubeconfig(existing: Kubeconfig, add: Kubeconfig): Kubeconfig {
  return {
    ...existing,
    clusters: upsert(existing.clusters, add.clusters),
    users: upsert(existing.users, add.users),
    contexts: upsert(existing.contexts, add.contexts),
    'current-context': add['current-context'] !== '' ? add['current-context'] : existing['current-context'],
  };
}

/** Runs `fn` holding `<path>.lock` (O_EXCL), as client-go and kind do, so two writers cannot interleave. */
async function withFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${path}.lock`;
  await mkdir(dirname(path), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(lock, 'wx', 0o600);
      await fh.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 50) {
        throw new Error(`kubeconfig: cannot lock ${path}: ${(e as Error).message}`);
      }
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { force: true });
  }
}

/** Merges `add` into the user's kubeconfig (`$KUBECONFIG`'s first entry, else ~/.kube/config); returns the path written. */
export async function mergeIntoUserKubeconfig(add: Kubeconfig, path: string = userKubeconfigPath()): Promise<string> {
  await withFileLock(path, async () => {
    const existing = await loadKubeconfig(path);
    await writeKubeconfig(path, mergeKubeconfig(existing, add));
  });
  return path;
}
