/**
 * The resource builder (kubectl's resource.Builder, reduced): turns `TYPE NAME...`, `TYPE/NAME...`,
 * `TYPE1,TYPE2`, categories (`all`) or `-f` manifests into a list of requests
 * `{mapping, namespace, name?, object?}`, with upstream's argument errors.
 */
import type { Readable } from 'node:stream';
import { CliError } from '../command.ts';
import type { Discovery, ResourceMapping } from '../command.ts';

/** One thing to act on: a named object, a whole collection (no name), or an object read from a manifest. */
export interface ResourceInfo {
  readonly mapping: ResourceMapping;
  /** '' for cluster-scoped resources and for all namespaces (-A). */
  readonly namespace: string;
  readonly name?: string;
  /** The manifest object (for -f). */
  readonly object?: Record<string, unknown>;
  /** The manifest file (`STDIN` for -f -). */
  readonly source?: string;
}

/** What the user asked for. */
export interface BuilderRequest {
  readonly args: readonly string[];
  readonly filenames?: readonly string[];
  readonly recursive?: boolean;
  readonly selector?: string;
  readonly allNamespaces?: boolean;
  readonly namespace: string;
  /** -n given: a manifest object in another namespace is an error. */
  readonly explicitNamespace?: boolean;
  readonly stdin?: Readable;
}

/** The builder's result. */
export interface BuilderResult {
  readonly infos: ResourceInfo[];
  /** One named object was asked for (kubectl prints it bare instead of in a List). */
  readonly singleItemImplied: boolean;
  /** The distinct mappings in order (several → names get `kind/` prefixes). */
  readonly mappings: ResourceMapping[];
}

function sameMapping(a: ResourceMapping, b: ResourceMapping): boolean {
  return a.group === b.group && a.version === b.version && a.resource === b.resource;
}

function namespaceFor(m: ResourceMapping, req: BuilderRequest): string {
  return m.namespaced && req.allNamespaces !== true ? req.namespace : '';
}

/** Expands a typed resource list entry: a category (`all`) becomes its resources, otherwise one mapping. */
async function expand(discovery: Discovery, typed: string): Promise<ResourceMapping[]> {
  // `pods`: a resource's own name is never a category (the check below), and only one cached file needs reading.
  const exact = await discovery.exactInFirstGroup?.(typed);
  if (exact !== undefined) {
    return [exact];
  }
  const all = await discovery.all();
  const inCategory = all.filter((m) => m.categories.includes(typed));
  if (inCategory.length > 0 && !all.some((m) => m.resource === typed || m.shortNames.includes(typed) || m.singularName === typed)) {
    return inCategory;
  }
  return [await discovery.resolve(typed)];
}

/** Resolves the request into infos. Throws CliError with kubectl's messages for malformed arguments. */
export async function buildResources(discovery: Discovery, req: BuilderRequest): Promise<BuilderResult> {
  const infos: ResourceInfo[] = [];
  const filenames = req.filenames ?? [];
  if (filenames.length > 0) {
    if (req.args.length > 0) {
      throw new CliError('when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well');
    }
    // Loaded only for -f: manifests are not on the path of `get TYPE`.
    const { readManifests } = await import('./manifest.ts');
    const objs = await readManifests(filenames, req.recursive === true, req.stdin ?? process.stdin);
    for (const { object, source } of objs) {
      const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : '';
      const kind = typeof object.kind === 'string' ? object.kind : '';
      const meta = (object.metadata ?? {}) as { name?: string; namespace?: string };
      let mapping: ResourceMapping;
      try {
        mapping = await discovery.forKind(apiVersion, kind);
      } catch (e) {
        throw new CliError(`resource mapping not found for name: "${meta.name ?? ''}" namespace: "${meta.namespace ?? ''}" from "${source}": ${(e as Error).message}\nensure CRDs are installed first`);
      }
      let namespace = '';
      if (mapping.namespaced) {
        namespace = meta.namespace ?? req.namespace;
        if (req.explicitNamespace === true && meta.namespace !== undefined && meta.namespace !== req.namespace) {
          throw new CliError(`the namespace from the provided object "${meta.namespace}" does not match the namespace "${req.namespace}". You must pass '--namespace=${meta.namespace}' to perform this operation.`);
        }
      }
      infos.push({ mapping, namespace, name: meta.name, object, source });
    }
    return { infos, singleItemImplied: infos.length === 1, mappings: distinct(infos) };
  }

  const slashed = req.args.filter((a) => a.includes('/'));
  if (slashed.length > 0) {
    if (slashed.length !== req.args.length) {
      throw new CliError(
        "there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'",
      );
    }
    if (req.selector !== undefined && req.selector !== '') {
      // upstream's wording for TYPE/NAME arguments with -l (TYPE NAME with -l has its own)
      throw new CliError('selectors and the all flag cannot be used when passing resource/name arguments');
    }
    for (const a of req.args) {
      const i = a.indexOf('/');
      const typed = a.slice(0, i);
      const name = a.slice(i + 1);
      if (typed === '' || name === '') {
        throw new CliError(`arguments in resource/name form must have a single resource and name`);
      }
      const mapping = await discovery.resolve(typed);
      infos.push({ mapping, namespace: namespaceFor(mapping, req), name });
    }
    return { infos, singleItemImplied: infos.length === 1, mappings: distinct(infos) };
  }

  if (req.args.length === 0) {
    return { infos, singleItemImplied: false, mappings: [] };
  }
  const [types, ...names] = req.args;
  if (names.length > 0 && req.selector !== undefined && req.selector !== '') {
    throw new CliError('name cannot be provided when a selector is specified');
  }
  const mappings: ResourceMapping[] = [];
  for (const typed of types.split(',').filter((t) => t !== '')) {
    mappings.push(...(await expand(discovery, typed)));
  }
  for (const mapping of mappings) {
    if (names.length === 0) {
      infos.push({ mapping, namespace: namespaceFor(mapping, req) });
    } else {
      for (const name of names) {
        infos.push({ mapping, namespace: namespaceFor(mapping, req), name });
      }
    }
  }
  return { infos, singleItemImplied: mappings.length === 1 && names.length === 1, mappings: distinct(infos) };
}

function distinct(infos: readonly ResourceInfo[]): ResourceMapping[] {
  const out: ResourceMapping[] = [];
  for (const i of infos) {
    if (!out.some((m) => sameMapping(m, i.mapping))) {
      out.push(i.mapping);
    }
  }
  return out;
}
