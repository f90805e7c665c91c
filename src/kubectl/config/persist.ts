/**
 * Writing kubeconfig changes back the way clientcmd's ModifyConfig does: a changed stanza goes to
 * the file that defines it, a new one to the first existing file of the chain (the last one if
 * none exists), current-context to the file that set it; files are rewritten in client-go's
 * layout (keys sorted, entries sorted by name, mode 0600).
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseKubeconfig } from '../../kubeconfig/file.ts';
import type { Kubeconfig } from '../../kubeconfig/types.ts';
import { toYaml } from '../printers/yaml.ts';
import type { LoadedKubeconfig } from './clientcmd.ts';

/** Which stanza list a change touches. */
export type StanzaKind = 'clusters' | 'users' | 'contexts';

/** The file a stanza (existing or new) belongs in. */
export function fileFor(loaded: LoadedKubeconfig, kind: StanzaKind | 'current-context', name: string): string {
  const origin = kind === 'current-context' ? loaded.origin.currentContext : loaded.origin[kind].get(name);
  if (origin !== undefined) {
    return origin;
  }
  if (loaded.explicit) {
    return loaded.files[0];
  }
  return loaded.files.find((f) => existsSync(f)) ?? loaded.files[loaded.files.length - 1];
}

/** Reads one file as is (missing → empty config). */
export function readFile(path: string): Kubeconfig {
  try {
    return parseKubeconfig(readFileSync(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      return parseKubeconfig('');
    }
    throw e;
  }
}

function byName<T extends { name: string }>(list: readonly T[]): T[] {
  return [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The document client-go writes for a config: empty preferences dropped, entries sorted by name. */
export function serializable(cfg: Kubeconfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...cfg, clusters: byName(cfg.clusters), users: byName(cfg.users), contexts: byName(cfg.contexts) };
  if (cfg.preferences === undefined || Object.keys(cfg.preferences).length === 0) {
    delete out.preferences;
  }
  for (const k of ['clusters', 'users', 'contexts'] as const) {
    if ((out[k] as unknown[]).length === 0) {
      out[k] = null;
    }
  }
  return out;
}

/** Rewrites one file with `change` applied to its contents. */
export function modifyFile(path: string, change: (cfg: Kubeconfig) => void): void {
  const cfg = readFile(path);
  change(cfg);
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, toYaml(serializable(cfg)), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Inserts or replaces a named entry in a stanza list. */
export function upsert<T extends { name: string }>(list: T[], entry: T): void {
  const i = list.findIndex((e) => e.name === entry.name);
  if (i >= 0) {
    list[i] = entry;
  } else {
    list.push(entry);
  }
}
