/**
 * `-f` objects for the mutating verbs: read by the builder's manifest reader (files, directories,
 * `-R`, stdin, multi-document YAML, `List` kinds), then keys sorted as unstructured decoding
 * leaves them, kind/apiVersion checked, mapped, and the namespace rule applied (default
 * namespace filled in, a mismatch with an explicit `-n` refused).
 */
import type { KubectlContext, ResourceMapping } from '../command.ts';
import { CliError } from '../command.ts';
import { readManifests as readAll } from '../resource/manifest.ts';

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

/** Reads every `-f` argument and maps its objects; `explicitNamespace` is `-n` when given. */
export async function readManifests(ctx: KubectlContext, filenames: readonly string[], recursive: boolean): Promise<ManifestObject[]> {
  const ns = await ctx.namespace();
  const discovery = await ctx.discovery();
  const out: ManifestObject[] = [];
  // reading (files, directories, stdin, multi-document YAML, List kinds) is the builder's
  for (const { object, source } of await readAll(filenames, recursive, ctx.stdin)) {
    // upstream decodes manifests into unstructured maps: every later encoding has sorted keys
    const obj = sortKeys(object) as Record<string, unknown>;
    const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
    const kind = typeof obj.kind === 'string' ? obj.kind : '';
    if (kind === '') {
      throw new CliError(`error validating "${source}": error validating data: kind not set; if you choose to ignore these errors, turn validation off with --validate=false`);
    }
    if (apiVersion === '') {
      throw new CliError(`error validating "${source}": error validating data: apiVersion not set; if you choose to ignore these errors, turn validation off with --validate=false`);
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
  return out;
}
