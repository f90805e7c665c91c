/**
 * A small "builder" for verbs that act on named objects of a type (rollout, wait): `TYPE NAME...`,
 * `TYPE/NAME...`, `TYPE -l SELECTOR`, `TYPE --all`, fetching the latest objects in argument order.
 */
import type { KubeObject } from '../../api/object.ts';
import type { RestClient } from '../../client/rest.ts';
import type { ResourceRef } from '../../client/paths.ts';
import { CliError } from '../command.ts';
import type { Discovery, ResourceMapping } from '../command.ts';

/** One object a verb acts on. */
export interface Target {
  readonly mapping: ResourceMapping;
  readonly namespace: string;
  readonly name: string;
  readonly object: KubeObject;
}

/** The REST reference of a target (namespace only for namespaced resources). */
export function refOf(mapping: ResourceMapping, namespace: string, name?: string): ResourceRef {
  return { group: mapping.group, version: mapping.version, resource: mapping.resource, namespace: mapping.namespaced ? namespace : undefined, name };
}

/** `deployment.apps/web` (the name printer's form; core kinds have no group suffix). */
export function qualifiedName(mapping: ResourceMapping, name: string): string {
  const kind = mapping.kind.toLowerCase();
  return mapping.group === '' ? `${kind}/${name}` : `${kind}.${mapping.group}/${name}`;
}

/** `deployments.apps` (the form in "already paused" errors and NotFound messages). */
export function groupResource(mapping: ResourceMapping): string {
  return mapping.group === '' ? mapping.resource : `${mapping.resource}.${mapping.group}`;
}

/** Options for resolving arguments. */
export interface TargetOptions {
  readonly selector?: string;
  readonly all?: boolean;
  /** When a bare TYPE with neither names nor selector selects everything (upstream's allowEmptySelector). */
  readonly allowEmptySelector?: boolean;
}

/** Resolves the arguments to objects (NotFound and unknown-type errors as upstream prints them). */
export async function resolveTargets(client: RestClient, discovery: Discovery, namespace: string, args: readonly string[], opts: TargetOptions = {}): Promise<Target[]> {
  const pairs: { type: string; name?: string }[] = [];
  if (args.some((a) => a.includes('/'))) {
    for (const a of args) {
      const i = a.indexOf('/');
      if (i < 0) {
        throw new CliError(`there is no need to specify a resource type as a separate argument when passing arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource resource/<resource_name>'`);
      }
      pairs.push({ type: a.slice(0, i), name: a.slice(i + 1) });
    }
  } else if (args.length > 0) {
    const types = (args[0] ?? '').split(',');
    if (args.length > 1) {
      for (const t of types) {
        for (const n of args.slice(1)) {
          pairs.push({ type: t, name: n });
        }
      }
    } else {
      for (const t of types) {
        pairs.push({ type: t });
      }
    }
  }
  const out: Target[] = [];
  for (const p of pairs) {
    const mapping = await discovery.resolve(p.type);
    if (p.name !== undefined) {
      if (opts.selector !== undefined && opts.selector !== '') {
        throw new CliError('name cannot be provided when a selector is specified');
      }
      const object = await client.get(refOf(mapping, namespace, p.name));
      out.push({ mapping, namespace, name: p.name, object });
      continue;
    }
    const hasSelector = opts.selector !== undefined && opts.selector !== '';
    if (!hasSelector && opts.all !== true && opts.allowEmptySelector !== true) {
      throw new CliError(`resource(s) were provided, but no name was specified`);
    }
    const list = await client.list(refOf(mapping, namespace), hasSelector ? { labelSelector: opts.selector } : undefined);
    for (const object of list.items) {
      out.push({ mapping, namespace: object.metadata.namespace ?? namespace, name: object.metadata.name ?? '', object });
    }
  }
  return out;
}
