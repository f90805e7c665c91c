/** The `kubectl create` sub-commands and their generators (`secret` and `service` have their own sub-commands). */
import { configMapGenerator, secretDockerRegistryGenerator, secretGenericGenerator, secretTlsGenerator } from './data.ts';
import { ingressGenerator } from './ingress.ts';
import { pdbGenerator } from './pdb.ts';
import { namespaceGenerator, priorityClassGenerator, quotaGenerator } from './misc.ts';
import { clusterRoleBindingGenerator, clusterRoleGenerator, roleBindingGenerator, roleGenerator, serviceAccountGenerator } from './rbac.ts';
import { serviceGenerators } from './service.ts';
import type { Verb } from '../command.ts';
import type { Generator } from './types.ts';
import { cronJobGenerator, deploymentGenerator, jobGenerator } from './workloads.ts';

export type { Generator, GeneratorIO, GeneratorInput, JsonObject } from './types.ts';

/** `create <name>` → generator, or a group with its own sub-commands (`create secret generic`). */
export type CreateEntry =
  | { readonly kind: 'generator'; readonly generator: Generator }
  | { readonly kind: 'group'; readonly name: string; readonly aliases: readonly string[]; readonly short: string; readonly children: readonly Generator[] }
  /** A sub-command that is not "build one object and POST it" (`create token`), loaded on demand. */
  | { readonly kind: 'verb'; readonly name: string; readonly aliases: readonly string[]; readonly short: string; readonly load: () => Promise<Verb> };

/** The create sub-commands in upstream's help order. */
export const createEntries: readonly CreateEntry[] = [
  { kind: 'generator', generator: clusterRoleGenerator },
  { kind: 'generator', generator: clusterRoleBindingGenerator },
  { kind: 'generator', generator: configMapGenerator },
  { kind: 'generator', generator: cronJobGenerator },
  { kind: 'generator', generator: deploymentGenerator },
  { kind: 'generator', generator: ingressGenerator },
  { kind: 'generator', generator: jobGenerator },
  { kind: 'generator', generator: namespaceGenerator },
  { kind: 'generator', generator: pdbGenerator },
  { kind: 'generator', generator: priorityClassGenerator },
  { kind: 'generator', generator: quotaGenerator },
  { kind: 'generator', generator: roleGenerator },
  { kind: 'generator', generator: roleBindingGenerator },
  { kind: 'group', name: 'secret', aliases: [], short: 'Create a secret using a specified subcommand', children: [secretDockerRegistryGenerator, secretGenericGenerator, secretTlsGenerator] },
  { kind: 'group', name: 'service', aliases: ['svc'], short: 'Create a service using a specified subcommand', children: serviceGenerators },
  { kind: 'generator', generator: serviceAccountGenerator },
  { kind: 'verb', name: 'token', aliases: [], short: 'Request a service account token', load: async () => (await import('../mutate/token.ts')).tokenVerb },
];

/** Finds the create entry named (or aliased) `name`. */
export function findCreateEntry(name: string): CreateEntry | undefined {
  return createEntries.find((e) => (e.kind === 'generator' ? e.generator.name === name || e.generator.aliases.includes(name) : e.name === name || e.aliases.includes(name)));
}
