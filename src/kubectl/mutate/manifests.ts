/**
 * Reads `-f` arguments into objects with their source and resource mapping, the part of
 * upstream's resource builder the mutating verbs need: files, directories (`-R` recursing,
 * only .json/.yaml/.yml inside directories), `-` for stdin, multi-document YAML, `List` kinds
 * flattened, and the namespace rule (default namespace filled in, a mismatch with an explicit
 * `-n` refused).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { KubectlContext, ResourceMapping } from '../command.ts';
import { CliError } from '../command.ts';

/** One object from a manifest. */
export interface ManifestObject {
  /** Where it came from, as upstream names it in errors (`work/deploy.yaml`, `STDIN`). */
  readonly source: string;
  readonly mapping: ResourceMapping;
  /** Namespace to use ('' for cluster-scoped kinds). */
  readonly namespace: string;
  readonly name: string;
  readonly object: Record<string, unknown>;
}

const manifestExtensions = ['.json', '.yaml', '.yml'];

async function expand(path: string, recursive: boolean, top: boolean): Promise<string[]> {
  const st = await stat(path).catch(() => undefined);
  if (st === undefined) {
    throw new CliError(`the path "${path}" does not exist`);
  }
  if (!st.isDirectory()) {
    return top || manifestExtensions.some((e) => path.endsWith(e)) ? [path] : [];
  }
  if (!top && !recursive) {
    return [];
  }
  const out: string[] = [];
  for (const entry of (await readdir(path)).sort()) {
    out.push(...(await expand(join(path, entry), recursive, false)));
  }
  return out;
}

async function readStdin(ctx: KubectlContext): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of ctx.stdin) {
    chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) {
    return v.map(sortKeys);
  }
  if (typeof v === 'object' && v !== null) {
    const src = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(src).sort().map((k) => [k, sortKeys(src[k])]));
  }
  return v;
}

/** Parses a YAML/JSON stream into objects (empty documents dropped, `*List` kinds flattened). */
export function parseManifest(text: string, source: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (!('errors' in doc) || doc.errors.length > 0) {
      const message = 'errors' in doc && doc.errors[0] !== undefined ? doc.errors[0].message : 'invalid YAML';
      throw new CliError(`error parsing ${source}: error converting YAML to JSON: ${message}`);
    }
    // upstream decodes manifests into unstructured maps: every later encoding has sorted keys
    const value: unknown = sortKeys(doc.toJS());
    if (value === null || value === undefined) {
      continue;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw new CliError(`error validating "${source}": error validating data: invalid object to validate`);
    }
    const obj = value as Record<string, unknown>;
    if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
      out.push(...(obj.items as Record<string, unknown>[]));
    } else {
      out.push(obj);
    }
  }
  return out;
}

/** Reads every `-f` argument and maps its objects; `explicitNamespace` is `-n` when given. */
export async function readManifests(ctx: KubectlContext, filenames: readonly string[], recursive: boolean): Promise<ManifestObject[]> {
  const ns = await ctx.namespace();
  const discovery = await ctx.discovery();
  const out: ManifestObject[] = [];
  for (const f of filenames) {
    const files = f === '-' ? ['-'] : await expand(f, recursive, true);
    for (const file of files) {
      const source = file === '-' ? 'STDIN' : file;
      const text = file === '-' ? await readStdin(ctx) : await readFile(file, 'utf8');
      for (const obj of parseManifest(text, source)) {
        const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
        const kind = typeof obj.kind === 'string' ? obj.kind : '';
        if (kind === '') {
          throw new CliError(`error validating "${source}": error validating data: kind not set`);
        }
        if (apiVersion === '') {
          throw new CliError(`error validating "${source}": error validating data: apiVersion not set`);
        }
        const mapping = await discovery.forKind(apiVersion, kind);
        const meta = (obj.metadata ?? {}) as Record<string, unknown>;
        const name = typeof meta.name === 'string' ? meta.name : '';
        let namespace = '';
        if (mapping.namespaced) {
          const own = typeof meta.namespace === 'string' ? meta.namespace : '';
          if (own !== '' && ns.explicit && own !== ns.namespace) {
            throw new CliError(`the namespace from the provided object "${own}" does not match the namespace "${ns.namespace}". You must pass '--namespace=${own}' to perform this operation.`);
          }
          namespace = own !== '' ? own : ns.namespace;
          obj.metadata = { ...meta, namespace };
        }
        out.push({ source, mapping, namespace, name, object: obj });
      }
    }
  }
  return out;
}
