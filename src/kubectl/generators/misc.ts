/** Cluster-level generators: `create namespace|priorityclass|quota`. */
import { CliError } from '../command.ts';
import type { Generator, JsonObject } from './types.ts';
import { bool, num, objectMeta, slice, sortedMap, str } from './types.ts';

/** `kubectl create namespace NAME`. */
export const namespaceGenerator: Generator = {
  name: 'namespace',
  aliases: ['ns'],
  use: 'namespace NAME [--dry-run=server|client|none]',
  short: 'Create a namespace with the specified name',
  flags: [],
  target: { group: '', version: 'v1', resource: 'namespaces', namespaced: false },
  generate(input) {
    return Promise.resolve({ kind: 'Namespace', apiVersion: 'v1', metadata: objectMeta(input.name, undefined), spec: {}, status: {} });
  },
};

/** `kubectl create priorityclass NAME --value=VALUE --global-default=BOOL`. */
export const priorityClassGenerator: Generator = {
  name: 'priorityclass',
  aliases: ['pc'],
  use: 'priorityclass NAME --value=VALUE --global-default=BOOL [--dry-run=server|client|none]',
  short: 'Create a priority class with the specified name',
  flags: [
    { name: 'value', type: 'int', default: 0, usage: 'the value of this priority class.' },
    { name: 'global-default', type: 'bool', default: false, usage: 'global-default specifies whether this PriorityClass should be considered as the default priority.' },
    { name: 'description', type: 'string', usage: 'description is an arbitrary string that usually provides guidelines on when this priority class should be used.' },
    { name: 'preemption-policy', type: 'string', default: 'PreemptLowerPriority', usage: 'preemption-policy is the policy for preempting pods with lower priority.' },
  ],
  target: { group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', namespaced: false },
  generate(input) {
    const pc: JsonObject = { kind: 'PriorityClass', apiVersion: 'scheduling.k8s.io/v1', metadata: objectMeta(input.name, undefined), value: num(input.flags, 'value', 0) };
    if (bool(input.flags, 'global-default')) {
      pc.globalDefault = true;
    }
    const description = str(input.flags, 'description');
    if (description !== '') {
      pc.description = description;
    }
    pc.preemptionPolicy = str(input.flags, 'preemption-policy') || 'PreemptLowerPriority';
    return Promise.resolve(pc);
  },
};

const quotaScopes = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass'];

/** `kubectl create quota NAME [--hard=key1=value1] [--scopes=Scope1,Scope2]`. */
export const quotaGenerator: Generator = {
  name: 'quota',
  aliases: ['resourcequota'],
  use: 'quota NAME [--hard=key1=value1,key2=value2] [--scopes=Scope1,Scope2] [--dry-run=server|client|none]',
  short: 'Create a quota with the specified name',
  flags: [
    { name: 'hard', type: 'string', usage: 'A comma-delimited set of resource=quantity pairs that define a hard limit.' },
    { name: 'scopes', type: 'string', usage: 'A comma-delimited set of quota scopes that must all match each object tracked by the quota.' },
  ],
  target: { group: '', version: 'v1', resource: 'resourcequotas', namespaced: true },
  generate(input) {
    const hard = new Map<string, string>();
    const hardSpec = str(input.flags, 'hard');
    if (hardSpec !== '') {
      for (const part of hardSpec.split(',')) {
        const eq = part.indexOf('=');
        if (eq <= 0) {
          throw new CliError(`invalid resource quota: ${part}`);
        }
        hard.set(part.slice(0, eq), part.slice(eq + 1));
      }
    }
    const scopes = slice(input.flags, 'scopes').flatMap((s) => s.split(',')).filter((s) => s !== '');
    for (const s of scopes) {
      if (!quotaScopes.includes(s)) {
        throw new CliError(`invalid resource quota scope "${s}"`);
      }
    }
    const spec: JsonObject = {};
    if (hard.size > 0) {
      spec.hard = sortedMap(hard);
    }
    if (scopes.length > 0) {
      spec.scopes = scopes;
    }
    return Promise.resolve({ kind: 'ResourceQuota', apiVersion: 'v1', metadata: objectMeta(input.name, input.enforcedNamespace), spec, status: {} });
  },
};
