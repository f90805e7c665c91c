/** Reading and writing kubeconfig files (YAML; 0600 because they hold credentials). */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { emptyKubeconfig, kubeconfigFromDocument } from './types.ts';
import type { Kubeconfig } from './types.ts';

/** Parses kubeconfig text; empty text is an empty config; list fields that are null become []. */
export function parseKubeconfig(text: string): Kubeconfig {
  const doc: unknown = text.trim() === '' ? {} : parse(text);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new Error('kubeconfig: not a YAML mapping');
  }
  return kubeconfigFromDocument(doc as Record<string, unknown>);
}

/** Loads a kubeconfig file; a missing file is an empty config. */
export async function loadKubeconfig(path: string): Promise<Kubeconfig> {
  try {
    return parseKubeconfig(await readFile(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return emptyKubeconfig();
    }
    throw e;
  }
}

/** YAML text of a kubeconfig. */
export function stringifyKubeconfig(cfg: Kubeconfig): string {
  return stringify(cfg, { lineWidth: 0 });
}

/** Writes atomically (temp file + rename) with mode 0600, creating the directory. */
export async function writeKubeconfig(path: string, cfg: Kubeconfig): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, stringifyKubeconfig(cfg), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

/**
 * The file a tool should merge into, as kind chooses it: the first entry of `$KUBECONFIG`
 * (a path list), else `~/.kube/config`.
 */
export function userKubeconfigPath(env: NodeJS.ProcessEnv = process.env): string {
  const first = (env.KUBECONFIG ?? '').split(delimiter).find((p) => p !== '');
  if (first !== undefined) {
    return first;
  }
  return join(env.HOME ?? homedir(), '.kube', 'config');
}
