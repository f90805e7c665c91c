/**
 * Image archives dropped into `<root-dir>/images/` (next to the store's own directories) are
 * imported when the kubelet starts, as k3s does with its agent images directory: the way to give
 * an air-gapped node its images without a registry. An archive is imported again only when its
 * size or modification time changes (remembered in `.imported.json`), so a restart with large
 * archives in place does not re-hash them; a broken archive is logged and skipped.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importArchive } from './archive.ts';
import type { ImageStore } from './store.ts';

const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.zst)$/;
const STATE = '.imported.json';

/** What was imported, per archive file name. */
export interface DroppedImport {
  readonly file: string;
  readonly tags: readonly string[];
}

/** Imports the new or changed archives in the store's directory; resolves with what it imported. */
export async function importDroppedArchives(store: ImageStore, log: (m: string) => void): Promise<DroppedImport[]> {
  const statePath = join(store.root, STATE);
  const seen = JSON.parse(await readFile(statePath, 'utf8').catch(() => '{}')) as Record<string, string>;
  const next: Record<string, string> = {};
  const out: DroppedImport[] = [];
  const names = (await readdir(store.root).catch(() => [] as string[])).filter((n) => ARCHIVE.test(n)).sort();
  for (const name of names) {
    const path = join(store.root, name);
    const st = await stat(path).catch(() => undefined);
    if (st === undefined || !st.isFile()) {
      continue;
    }
    const stamp = `${st.size}:${st.mtimeMs}`;
    if (seen[name] === stamp) {
      next[name] = stamp;
      continue;
    }
    try {
      const imported = await importArchive(store, path);
      const tags = imported.flatMap((i) => i.repoTags);
      log(`imported ${tags.join(', ') || 'untagged images'} from ${path}`);
      out.push({ file: name, tags });
      next[name] = stamp;
    } catch (e) {
      log(`importing image archive ${path} failed: ${(e as Error).message}`);
    }
  }
  await writeFile(statePath, `${JSON.stringify(next)}\n`);
  return out;
}
