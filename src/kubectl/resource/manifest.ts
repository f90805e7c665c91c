/**
 * Reading manifests for `-f`: files, directories (only .json/.yaml/.yml; with -R recursively),
 * `-` for stdin; multi-document YAML and JSON; `kind: *List` documents flattened into their items.
 */
import { extname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { CliError } from '../command.ts';

// node:fs without an ESM import: that facade reads fs.promises, which loads fs/promises and readline (start-up time).
const { readdirSync, readFileSync, statSync } = process.getBuiltinModule('node:fs');

/** One object read from a manifest, with where it came from (for error messages). */
export interface ManifestObject {
  readonly object: Record<string, unknown>;
  /** The file name as the user gave it, or `STDIN`. */
  readonly source: string;
}

const MANIFEST_EXTENSIONS = new Set(['.json', '.yaml', '.yml']);

async function readStdin(stdin: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) {
    chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function filesUnder(dir: string, recursive: boolean): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) {
        out.push(...filesUnder(p, recursive));
      }
    } else if (MANIFEST_EXTENSIONS.has(extname(entry.name))) {
      out.push(p);
    }
  }
  return out;
}

function flatten(doc: unknown, source: string, out: ManifestObject[]): void {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    return;
  }
  const o = doc as Record<string, unknown>;
  if (typeof o.kind === 'string' && o.kind.endsWith('List') && Array.isArray(o.items)) {
    for (const item of o.items) {
      flatten(item, source, out);
    }
    return;
  }
  out.push({ object: o, source });
}

/** Parses one manifest text (JSON or multi-document YAML) into objects. */
export async function parseManifest(text: string, source: string): Promise<ManifestObject[]> {
  const out: ManifestObject[] = [];
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const v: unknown = JSON.parse(text);
      for (const d of Array.isArray(v) ? v : [v]) {
        flatten(d, source, out);
      }
      return out;
    } catch {
      // not one JSON document: fall through to YAML (which accepts JSON streams too)
    }
  }
  const { parseAllDocuments } = await import('yaml');
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new CliError(`error parsing ${source}: error converting YAML to JSON: yaml: ${doc.errors[0].message}`);
    }
    flatten(doc.toJSON(), source, out);
  }
  return out;
}

/** Reads every `-f` argument (files, directories, `-`). Errors are kubectl's wording. */
export async function readManifests(filenames: readonly string[], recursive: boolean, stdin: Readable): Promise<ManifestObject[]> {
  const out: ManifestObject[] = [];
  for (const f of filenames) {
    if (f === '-') {
      out.push(...(await parseManifest(await readStdin(stdin), 'STDIN')));
      continue;
    }
    if (/^https?:\/\//.test(f)) {
      throw new CliError(`reading manifests from URLs is not supported by k8ts kubectl: ${f}`);
    }
    let isDir: boolean;
    try {
      isDir = statSync(f).isDirectory();
    } catch {
      throw new CliError(`the path "${f}" does not exist`);
    }
    const files = isDir ? filesUnder(f, recursive) : [f];
    for (const file of files) {
      out.push(...(await parseManifest(readFileSync(file, 'utf8'), file)));
    }
  }
  return out;
}
