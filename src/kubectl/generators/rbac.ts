/** RBAC generators: `create serviceaccount|role|clusterrole|rolebinding|clusterrolebinding`. */
import { CliError } from '../command.ts';
import type { Generator, GeneratorIO, GeneratorInput, JsonObject } from './types.ts';
import { list, objectMeta, slice, str } from './types.ts';

const RBAC = 'rbac.authorization.k8s.io';
const validResourceVerbs = ['*', 'get', 'delete', 'list', 'create', 'update', 'patch', 'watch', 'proxy', 'deletecollection', 'use', 'bind', 'escalate', 'impersonate'];
const validNonResourceVerbs = ['*', 'get', 'post', 'put', 'delete', 'patch', 'head', 'options'];
/** Verbs that only make sense on particular resources (upstream's specialVerbs). */
const specialVerbs: Readonly<Record<string, readonly { group: string; resource: string }[]>> = {
  use: [{ group: 'policy', resource: 'podsecuritypolicies' }, { group: 'extensions', resource: 'podsecuritypolicies' }],
  bind: [{ group: RBAC, resource: 'roles' }, { group: RBAC, resource: 'clusterroles' }],
  escalate: [{ group: RBAC, resource: 'roles' }, { group: RBAC, resource: 'clusterroles' }],
  impersonate: [{ group: '', resource: 'users' }, { group: '', resource: 'serviceaccounts' }, { group: '', resource: 'groups' }, { group: 'authentication.k8s.io', resource: 'userextras' }],
};

/** `kubectl create serviceaccount NAME`. */
export const serviceAccountGenerator: Generator = {
  name: 'serviceaccount',
  aliases: ['sa'],
  use: 'serviceaccount NAME [--dry-run=server|client|none]',
  short: 'Create a service account with the specified name',
  flags: [],
  target: { group: '', version: 'v1', resource: 'serviceaccounts', namespaced: true },
  errorNoun: 'serviceaccount',
  generate(input) {
    return Promise.resolve({ kind: 'ServiceAccount', apiVersion: 'v1', metadata: objectMeta(input.name, input.enforcedNamespace) });
  },
};

function uniq(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

interface ParsedResource {
  readonly resource: string;
  readonly group: string;
  readonly subresource: string;
}

function parseResources(specs: readonly string[]): ParsedResource[] {
  const out: ParsedResource[] = [];
  for (const r of specs) {
    const slash = r.indexOf('/');
    const main = slash < 0 ? r : r.slice(0, slash);
    const subresource = slash < 0 ? '' : r.slice(slash + 1);
    const dot = main.indexOf('.');
    const parsed = { resource: dot < 0 ? main : main.slice(0, dot), group: dot < 0 ? '' : main.slice(dot + 1), subresource };
    if (parsed.resource === '*' && dot < 0 && slash < 0) {
      return [parsed];
    }
    out.push(parsed);
  }
  return out;
}

/** Rules as upstream builds them: one per API group (groups sorted), then one for non-resource URLs. */
async function policyRules(input: GeneratorInput, io: GeneratorIO, nonResourceURLs: readonly string[]): Promise<JsonObject[]> {
  let verbs = uniq(slice(input.flags, 'verb'));
  if (verbs.includes('*')) {
    verbs = ['*'];
  }
  const resources = parseResources(slice(input.flags, 'resource'));
  const resourceNames = uniq(list(input.flags, 'resource-name'));
  if (verbs.length === 0) {
    throw new CliError('at least one verb must be specified');
  }
  if (resources.length === 0 && nonResourceURLs.length === 0) {
    throw new CliError(nonResourceURLs === undefined ? 'at least one resource must be specified' : 'one of resource or nonResourceURL must be specified');
  }
  for (const v of verbs) {
    if (resources.length > 0 && !validResourceVerbs.includes(v)) {
      io.warn(`Warning: '${v}' is not a standard resource verb`);
    }
    if (nonResourceURLs.length > 0 && !validNonResourceVerbs.includes(v)) {
      throw new CliError(`invalid verb: '${v}' for nonResourceURL`);
    }
  }
  const byGroup = new Map<string, string[]>();
  for (const r of resources) {
    if (r.resource === '') {
      throw new CliError('resource must be specified if apiGroup/subresource specified');
    }
    let mapped = { group: r.group, resource: r.resource };
    if (r.resource !== '*') {
      try {
        mapped = await io.resolveResource(r.group === '' ? r.resource : `${r.resource}.${r.group}`);
      } catch (e) {
        if (Object.keys(specialVerbs).every((v) => !verbs.includes(v))) {
          throw e;
        }
      }
      for (const v of verbs) {
        const allowed = specialVerbs[v];
        if (allowed !== undefined && !allowed.some((a) => a.group === mapped.group && a.resource === mapped.resource)) {
          throw new CliError(`can not perform '${v}' on '${mapped.resource}' in group '${mapped.group}'`);
        }
      }
    }
    const name = r.subresource === '' ? mapped.resource : `${mapped.resource}/${r.subresource}`;
    const names = byGroup.get(mapped.group) ?? [];
    if (!names.includes(name)) {
      names.push(name);
    }
    byGroup.set(mapped.group, names);
  }
  const rules: JsonObject[] = [];
  for (const g of [...byGroup.keys()].sort()) {
    const rule: JsonObject = { verbs, apiGroups: [g], resources: byGroup.get(g) };
    if (resourceNames.length > 0) {
      rule.resourceNames = resourceNames;
    }
    rules.push(rule);
  }
  if (nonResourceURLs.length > 0) {
    rules.push({ verbs, nonResourceURLs: [...nonResourceURLs] });
  }
  return rules;
}

const ruleFlags: Generator['flags'] = [
  { name: 'verb', type: 'stringArray', usage: 'Verb that applies to the resources contained in the rule' },
  { name: 'resource', type: 'stringArray', usage: 'Resource that the rule applies to' },
  { name: 'resource-name', type: 'stringArray', usage: 'Resource in the white list that the rule applies to, repeat this flag for multiple items' },
];

/** `kubectl create role NAME --verb=verb --resource=resource.group/subresource [--resource-name=resourcename]`. */
export const roleGenerator: Generator = {
  name: 'role',
  aliases: [],
  use: 'role NAME --verb=verb --resource=resource.group/subresource [--resource-name=resourcename] [--dry-run=server|client|none]',
  short: 'Create a role with single rule',
  flags: ruleFlags,
  target: { group: RBAC, version: 'v1', resource: 'roles', namespaced: true },
  async generate(input, io) {
    if (slice(input.flags, 'resource').length === 0 && slice(input.flags, 'verb').length > 0) {
      throw new CliError('at least one resource must be specified');
    }
    return { kind: 'Role', apiVersion: `${RBAC}/v1`, metadata: objectMeta(input.name, input.enforcedNamespace), rules: await policyRules(input, io, []) };
  },
};

/** `kubectl create clusterrole NAME --verb=verb --resource=resource.group [--resource-name=resourcename]`. */
export const clusterRoleGenerator: Generator = {
  name: 'clusterrole',
  aliases: [],
  use: 'clusterrole NAME --verb=verb --resource=resource.group [--resource-name=resourcename] [--dry-run=server|client|none]',
  short: 'Create a cluster role',
  flags: [
    ...ruleFlags,
    { name: 'non-resource-url', type: 'stringArray', usage: 'A partial url that user should have access to.' },
    { name: 'aggregation-rule', type: 'string', usage: 'An aggregation label selector for combining ClusterRoles.' },
  ],
  target: { group: RBAC, version: 'v1', resource: 'clusterroles', namespaced: false },
  async generate(input, io) {
    const urls = slice(input.flags, 'non-resource-url');
    for (const u of urls) {
      if (!u.startsWith('/')) {
        throw new CliError(`'${u}' is not a valid non-resource URL: must start with '/'`);
      }
    }
    const meta = objectMeta(input.name, undefined);
    const aggregation = str(input.flags, 'aggregation-rule');
    if (aggregation !== '') {
      const matchLabels: Record<string, string> = {};
      for (const part of aggregation.split(',')) {
        const eq = part.indexOf('=');
        matchLabels[part.slice(0, eq)] = part.slice(eq + 1);
      }
      return { kind: 'ClusterRole', apiVersion: `${RBAC}/v1`, metadata: meta, rules: null, aggregationRule: { clusterRoleSelectors: [{ matchLabels }] } };
    }
    return { kind: 'ClusterRole', apiVersion: `${RBAC}/v1`, metadata: meta, rules: await policyRules(input, io, urls) };
  },
};

/** Subjects in upstream's order: users, groups, then service accounts (`namespace:name`). */
function subjects(input: GeneratorInput): JsonObject[] {
  const out: JsonObject[] = [];
  for (const u of list(input.flags, 'user')) {
    out.push({ kind: 'User', apiGroup: RBAC, name: u });
  }
  for (const g of list(input.flags, 'group')) {
    out.push({ kind: 'Group', apiGroup: RBAC, name: g });
  }
  for (const sa of list(input.flags, 'serviceaccount')) {
    const parts = sa.split(':');
    if (parts.length !== 2 || parts[0] === '' || parts[1] === '') {
      throw new CliError(`serviceaccount must be <namespace>:<name>`);
    }
    out.push({ kind: 'ServiceAccount', name: parts[1], namespace: parts[0] });
  }
  return out;
}

const subjectFlags: Generator['flags'] = [
  { name: 'user', type: 'stringArray', usage: 'Usernames to bind to the role. The flag can be repeated to add multiple users.' },
  { name: 'group', type: 'stringArray', usage: 'Groups to bind to the role. The flag can be repeated to add multiple groups.' },
  { name: 'serviceaccount', type: 'stringArray', usage: 'Service accounts to bind to the role, in the format <namespace>:<name>. The flag can be repeated to add multiple service accounts.' },
];

/** `kubectl create rolebinding NAME --clusterrole=NAME|--role=NAME [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname]`. */
export const roleBindingGenerator: Generator = {
  name: 'rolebinding',
  aliases: [],
  use: 'rolebinding NAME --clusterrole=NAME|--role=NAME [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none]',
  short: 'Create a role binding for a particular role or cluster role',
  flags: [
    { name: 'clusterrole', type: 'string', usage: 'ClusterRole this RoleBinding should reference' },
    { name: 'role', type: 'string', usage: 'Role this RoleBinding should reference' },
    ...subjectFlags,
  ],
  target: { group: RBAC, version: 'v1', resource: 'rolebindings', namespaced: true },
  generate(input) {
    const role = str(input.flags, 'role');
    const clusterRole = str(input.flags, 'clusterrole');
    if (role === '' && clusterRole === '') {
      throw new CliError('exactly one of clusterrole or role must be specified');
    }
    if (role !== '' && clusterRole !== '') {
      throw new CliError('exactly one of clusterrole or role must be specified');
    }
    const binding: JsonObject = { kind: 'RoleBinding', apiVersion: `${RBAC}/v1`, metadata: objectMeta(input.name, input.enforcedNamespace) };
    const subs = subjects(input);
    if (subs.length > 0) {
      binding.subjects = subs;
    }
    binding.roleRef = { apiGroup: RBAC, kind: role !== '' ? 'Role' : 'ClusterRole', name: role !== '' ? role : clusterRole };
    return Promise.resolve(binding);
  },
};

/** `kubectl create clusterrolebinding NAME --clusterrole=NAME [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname]`. */
export const clusterRoleBindingGenerator: Generator = {
  name: 'clusterrolebinding',
  aliases: [],
  use: 'clusterrolebinding NAME --clusterrole=NAME [--user=username] [--group=groupname] [--serviceaccount=namespace:serviceaccountname] [--dry-run=server|client|none]',
  short: 'Create a cluster role binding for a particular cluster role',
  flags: [{ name: 'clusterrole', type: 'string', usage: 'ClusterRole this ClusterRoleBinding should reference' }, ...subjectFlags],
  required: ['clusterrole'],
  target: { group: RBAC, version: 'v1', resource: 'clusterrolebindings', namespaced: false },
  generate(input) {
    const binding: JsonObject = { kind: 'ClusterRoleBinding', apiVersion: `${RBAC}/v1`, metadata: objectMeta(input.name, undefined) };
    const subs = subjects(input);
    if (subs.length > 0) {
      binding.subjects = subs;
    }
    binding.roleRef = { apiGroup: RBAC, kind: 'ClusterRole', name: str(input.flags, 'clusterrole') };
    return Promise.resolve(binding);
  },
};
