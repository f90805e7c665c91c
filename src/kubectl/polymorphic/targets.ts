/**
 * Targets of verbs that act on live objects of a type (rollout, wait): the builder turns `TYPE NAME...`,
 * `TYPE/NAME...`, `TYPE -l SELECTOR`, `TYPE --all` into requests; here they are fetched, in argument order.
 */
import type { KubeObject } from '../../api/object.ts';
import type { RestClient } from '../../client/rest.ts';
import type { ResourceRef } from '../../client/paths.ts';
import { CliError } from '../command.ts';
import type { Discovery, ResourceMapping } from '../command.ts';
import { buildResources } from '../resource/builder.ts';

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

/** Resolves the arguments to objects (NotFound and unknown-type errors as upstream prints them); argument parsing is the builder's. */
export async function resolveTargets(client: RestClient, discovery: Discovery, namespace: string, args: readonly string[], opts: TargetOptions = {}): Promise<Target[]> {
  const hasSelector = opts.selector !== undefined && opts.selector !== '';
  const { infos } = await buildResources(discovery, { args, namespace, selector: opts.selector });
  const out: Target[] = [];
  for (const info of infos) {
    const mapping = info.mapping;
    if (info.name !== undefined) {
      const object = await client.get(refOf(mapping, namespace, info.name));
      out.push({ mapping, namespace, name: info.name, object });
      continue;
    }
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
