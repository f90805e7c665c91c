/**
 * What a mutating verb acts on: the builder parses `TYPE NAME...`, `TYPE1,TYPE2 NAME`, `TYPE/NAME...`,
 * `TYPE -l sel`, `TYPE --all` (with `-A`); `-f` manifests are read here. Listing by selector happens
 * here too, so every target has a name.
 */
import type { FlagValues, KubectlContext, ResourceMapping } from '../command.ts';
import { CliError } from '../command.ts';
import { filenames } from './create-files.ts';
import { readManifests } from './manifests.ts';
import { buildResources } from '../resource/builder.ts';

/** Upstream's error when a verb that needs resources got neither arguments nor `-f`. */
export const emptyResourcesError = `You must provide one or more resources by argument or filename.
Example resource specifications include:
   '-f rsrc.yaml'
   '--filename=rsrc.json'
   '<resource> <name>'
   '<resource>'`;

/** One object a verb acts on. */
export interface Target {
  readonly mapping: ResourceMapping;
  /** '' for cluster-scoped kinds. */
  readonly namespace: string;
  readonly name: string;
  /** The manifest object (`-f`) or the listed object (`-l`/`--all`), when there is one. */
  readonly object?: Record<string, unknown>;
  /** The manifest file, for `error when ... "<source>"` messages. */
  readonly source?: string;
}

/** How a verb wants its arguments read. */
export interface TargetOptions {
  /** Whether `TYPE` alone (no names) means every object of the type (with -l/--all). */
  readonly allowSelectorOrAll: boolean;
  /** The error when no resources were given at all (verb-specific in upstream). */
  readonly emptyError: string;
  /** Whether listing spans all namespaces (`-A`). */
  readonly allNamespaces?: boolean;
  /** Whether `TYPE` with no name and no selector/--all is an error (upstream: "resource(s) were provided, but no name was specified"). */
  readonly requireNames?: boolean;
}

function stringValue(flags: FlagValues, name: string): string {
  const v = flags.get(name);
  return typeof v === 'string' ? v : '';
}

/** Resolves the verb's arguments into targets. */
export async function resolveTargets(ctx: KubectlContext, args: readonly string[], flags: FlagValues, opts: TargetOptions): Promise<Target[]> {
  const files = filenames(flags);
  const selector = stringValue(flags, 'selector');
  const fieldSelector = stringValue(flags, 'field-selector');
  const all = flags.get('all') === true;
  const ns = await ctx.namespace();
  if (files.length > 0) {
    if (args.length > 0) {
      throw new CliError(`Unexpected args: [${args.join(' ')}]`);
    }
    const objs = await readManifests(ctx, files, flags.get('recursive') === true);
    return objs.map((m) => ({ mapping: m.mapping, namespace: m.namespace, name: m.name, object: m.object, source: m.source }));
  }
  if (args.length === 0) {
    throw new CliError(opts.emptyError);
  }
  const discovery = await ctx.discovery();
  const { infos } = await buildResources(discovery, { args, namespace: ns.namespace, selector, allNamespaces: opts.allNamespaces });
  const named: Target[] = [];
  const whole: ResourceMapping[] = [];
  for (const info of infos) {
    if (info.name !== undefined) {
      named.push({ mapping: info.mapping, namespace: info.mapping.namespaced ? ns.namespace : '', name: info.name });
    } else {
      whole.push(info.mapping);
    }
  }
  if (whole.length === 0) {
    return named;
  }
  if (!opts.allowSelectorOrAll || (selector === '' && fieldSelector === '' && !all)) {
    throw new CliError('resource(s) were provided, but no name was specified');
  }
  // listing by selector (or --all) here, so every target has a name
  const client = await ctx.client();
  const out: Target[] = [];
  for (const mapping of whole) {
    const namespace = mapping.namespaced && opts.allNamespaces !== true ? ns.namespace : undefined;
    const list = await client.list({ group: mapping.group, version: mapping.version, resource: mapping.resource, namespace }, { labelSelector: selector || undefined, fieldSelector: fieldSelector || undefined });
    for (const item of list.items) {
      const meta = (item.metadata ?? {}) as { name?: string; namespace?: string };
      const obj = { ...(item as unknown as Record<string, unknown>), apiVersion: apiVersionOf(mapping), kind: mapping.kind };
      out.push({ mapping, namespace: meta.namespace ?? '', name: meta.name ?? '', object: obj });
    }
  }
  return out;
}

/** The `ResourceRef` of a target (optionally a subresource). */
export function refOf(t: Target, subresource?: string): { group: string; version: string; resource: string; namespace?: string; name: string; subresource?: string } {
  return { group: t.mapping.group, version: t.mapping.version, resource: t.mapping.resource, namespace: t.mapping.namespaced ? t.namespace : undefined, name: t.name, subresource };
}

/** `deployments.apps "web"` / `pods "x"`: how upstream names an object in messages. */
export function qualifiedName(t: Target): string {
  return `${t.mapping.group === '' ? t.mapping.resource : `${t.mapping.resource}.${t.mapping.group}`} "${t.name}"`;
}

/** `deployment.apps/web`: kind-based name of the success lines. */
export function kindName(t: Target): string {
  const k = t.mapping.kind.toLowerCase();
  return `${t.mapping.group === '' ? k : `${k}.${t.mapping.group}`}/${t.name}`;
}

/** `kubectl.kubernetes.io/...`-free `apiVersion` of a mapping. */
export function apiVersionOf(m: ResourceMapping): string {
  return m.group === '' ? m.version : `${m.group}/${m.version}`;
}
