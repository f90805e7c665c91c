/**
 * `kubectl auth can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL]` (SelfSubjectAccessReview, `--list`
 * through SelfSubjectRulesReview) and `kubectl auth whoami` (SelfSubjectReview), as upstream.
 */
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { runSubverbs } from '../cli/subverbs.ts';
import type { SubverbTable } from '../cli/subverbs.ts';
import { formatObjects, parseOutput, printFlagSpecs } from '../printers/index.ts';
import { boolFlag, stringFlag } from '../polymorphic/flagvalues.ts';
import { tabbed } from '../polymorphic/history.ts';

const resourceVerbs = new Set(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection', 'use', 'bind', 'impersonate', '*', 'approve', 'sign', 'escalate', 'attest']);
const nonResourceVerbs = new Set(['get', 'put', 'post', 'head', 'options', 'delete', 'patch', '*']);
const nonStandardResourceNames = new Set(['users', 'groups']);

interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

/** Splits rules into one (group, resource, verb[, name]) each, as rbac's BreakdownRule. */
function breakdown(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const g of r.apiGroups) {
    for (const res of r.resources) {
      for (const v of r.verbs) {
        if (r.resourceNames.length > 0) {
          for (const n of r.resourceNames) {
            out.push({ verbs: [v], apiGroups: [g], resources: [res], resourceNames: [n], nonResourceURLs: [] });
          }
        } else {
          out.push({ verbs: [v], apiGroups: [g], resources: [res], resourceNames: [], nonResourceURLs: [] });
        }
      }
    }
  }
  for (const u of r.nonResourceURLs) {
    for (const v of r.verbs) {
      out.push({ verbs: [v], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [u] });
    }
  }
  return out;
}

/** Merges the verbs of rules on the same single group/resource/name (rbac's CompactRules). */
function compact(rules: readonly PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = r.nonResourceURLs.length === 0 && r.apiGroups.length === 1 && r.resources.length === 1 && r.resourceNames.length <= 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups[0], r.resources[0], r.resourceNames.length, r.resourceNames[0] ?? '']);
    const existing = simple.get(key);
    if (existing === undefined) {
      simple.set(key, { ...r, verbs: [...r.verbs] });
    } else {
      for (const v of r.verbs) {
        if (!existing.verbs.includes(v)) {
          existing.verbs.push(v);
        }
      }
    }
  }
  return [...out, ...simple.values()];
}

/** Go's %v of a []string. */
const goList = (xs: readonly string[]): string => `[${xs.join(' ')}]`;

/** The sort key upstream uses: the generated protobuf String() of the rule. */
const ruleString = (r: PolicyRule): string =>
  `&PolicyRule{Verbs:${goList(r.verbs)},APIGroups:${goList(r.apiGroups)},Resources:${goList(r.resources)},ResourceNames:${goList(r.resourceNames)},NonResourceURLs:${goList(r.nonResourceURLs)},}`;

function combineResourceGroup(resources: readonly string[], groups: readonly string[]): string {
  const first = resources[0];
  if (first === undefined) {
    return '';
  }
  const [res, sub] = first.split(/\/(.*)/s);
  let s = res ?? '';
  if (groups.length > 0 && groups[0] !== '') {
    s += `.${groups[0] ?? ''}`;
  }
  return sub !== undefined ? `${s}/${sub}` : s;
}

async function canI(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number> {
  const warn = (s: string): void => void ctx.stderr.write(`Warning: ${s}\n`);
  const list = boolFlag(flags, 'list');
  const quiet = boolFlag(flags, 'quiet');
  const all = boolFlag(flags, 'all-namespaces');
  const sub = stringFlag(flags, 'subresource');
  let verb = '';
  let nonResourceURL = '';
  let resource = { group: '', resource: '' };
  let resourceName = '';
  const client = await ctx.client();
  if (list) {
    if (args.length !== 0) {
      throw new CliError('list option must be specified with no arguments');
    }
  } else {
    if (args.length !== 2) {
      throw new CliError("you must specify two arguments: verb resource or verb resource/resourceName.\nSee 'kubectl auth can-i -h' for help and examples.");
    }
    verb = args[0] ?? '';
    const target = args[1] ?? '';
    if (target.startsWith('/')) {
      nonResourceURL = target;
    } else {
      const [typed, name] = target.split(/\/(.*)/s);
      resourceName = name ?? '';
      if (typed === '*') {
        resource = { group: '', resource: '*' };
      } else {
        try {
          const m = await (await ctx.discovery()).resolve((typed ?? '').toLowerCase());
          resource = { group: m.group, resource: m.resource };
          if (!all && !m.namespaced) {
            warn(m.group === '' ? `resource '${m.resource}' is not namespace scoped\n` : `resource '${m.resource}' is not namespace scoped in group '${m.group}'\n`);
          }
        } catch {
          const lower = (typed ?? '').toLowerCase();
          const dot = lower.indexOf('.');
          const gr = dot < 0 ? { resource: lower, group: '' } : { resource: lower.slice(0, dot), group: lower.slice(dot + 1) };
          if (!nonStandardResourceNames.has(lower)) {
            warn(gr.group === '' ? `the server doesn't have a resource type '${gr.resource}'\n` : `the server doesn't have a resource type '${gr.resource}' in group '${gr.group}'\n`);
          }
          resource = { group: '', resource: typed ?? '' };
        }
      }
    }
  }
  const namespace = all ? '' : (await ctx.namespace()).namespace;
  if (list) {
    if (quiet || all || sub !== '') {
      throw new CliError("list option can't be specified with neither quiet, all-namespaces nor subresource options");
    }
    const review = await client.create<{ metadata: object; status?: { resourceRules?: Partial<PolicyRule>[]; nonResourceRules?: Partial<PolicyRule>[]; incomplete?: boolean; evaluationError?: string } }>(
      { group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectrulesreviews' },
      { kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', metadata: {}, spec: { namespace } },
    );
    const st = review.status ?? {};
    if (st.incomplete === true) {
      warn(`the list may be incomplete: ${st.evaluationError ?? ''}\n`);
    }
    const norm = (r: Partial<PolicyRule>): PolicyRule => ({ verbs: r.verbs ?? [], apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], resourceNames: r.resourceNames ?? [], nonResourceURLs: r.nonResourceURLs ?? [] });
    const rules = [...(st.resourceRules ?? []).map(norm), ...(st.nonResourceRules ?? []).map((r) => ({ ...norm(r), apiGroups: [], resources: [] }))];
    const compacted = compact(rules.flatMap(breakdown)).sort((a, b) => (ruleString(a) < ruleString(b) ? -1 : ruleString(a) > ruleString(b) ? 1 : 0));
    const rows = compacted.map((r) => [combineResourceGroup(r.resources, r.apiGroups), goList(r.nonResourceURLs), goList(r.resourceNames), goList(r.verbs)]);
    ctx.stdout.write(tabbed(boolFlag(flags, 'no-headers') ? rows : [['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs'], ...rows], 3, 6));
    return 0;
  }
  if (nonResourceURL !== '') {
    if (sub !== '') {
      throw new CliError('--subresource can not be used with NonResourceURL');
    }
    if (!nonResourceVerbs.has(verb)) {
      warn(`verb '${verb}' is not a known verb\n`);
    }
  } else if (resource.resource !== '' && !resourceVerbs.has(verb)) {
    warn(`verb '${verb}' is not a known verb\n`);
  }
  if (boolFlag(flags, 'no-headers')) {
    throw new CliError('--no-headers cannot be set without --list specified');
  }
  const spec =
    nonResourceURL === ''
      ? { resourceAttributes: { namespace, verb, group: resource.group, resource: resource.resource, subresource: sub, name: resourceName } }
      : { nonResourceAttributes: { verb, path: nonResourceURL } };
  const review = await client.create<{ metadata: object; status?: { allowed?: boolean; reason?: string; evaluationError?: string } }>(
    { group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews' },
    { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: {}, spec },
  );
  const st = review.status ?? {};
  if (!quiet) {
    if (st.allowed === true) {
      ctx.stdout.write('yes\n');
    } else {
      ctx.stdout.write(`no${(st.reason ?? '') !== '' ? ` - ${st.reason ?? ''}` : ''}${(st.evaluationError ?? '') !== '' ? ` - ${st.evaluationError ?? ''}` : ''}\n`);
    }
  }
  return st.allowed === true ? 0 : 1;
}

async function whoami(ctx: KubectlContext, _args: readonly string[], flags: FlagValues): Promise<number> {
  const out = parseOutput(flags);
  const client = await ctx.client();
  let review: { status?: { userInfo?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> } } } & Record<string, unknown>;
  try {
    review = await client.create({ group: 'authentication.k8s.io', version: 'v1', resource: 'selfsubjectreviews' }, { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: {}, status: { userInfo: {} } });
  } catch (e) {
    if ((e as { code?: number }).code === 404) {
      throw new CliError('the selfsubjectreviews API is not enabled in the cluster\nenable APISelfSubjectReview feature gate and authentication.k8s.io/v1alpha1 or authentication.k8s.io/v1beta1 API');
    }
    throw e;
  }
  const ui = review.status?.userInfo ?? {};
  // kubectl prints the typed object: struct field order for JSON, and no null creationTimestamp.
  const typed = JSON.parse(
    JSON.stringify({
      kind: 'SelfSubjectReview',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: {},
      status: { userInfo: { username: ui.username, uid: ui.uid, groups: ui.groups, extra: ui.extra } },
    }),
  ) as Record<string, unknown>;
  if (stringFlag(flags, 'output') === 'json') {
    ctx.stdout.write(`${JSON.stringify(typed, null, 4)}\n`);
    return 0;
  }
  if (stringFlag(flags, 'output') !== '') {
    ctx.stdout.write(await formatObjects([typed], out, flags, true));
    return 0;
  }
  const rows: string[][] = [['ATTRIBUTE', 'VALUE']];
  if ((ui.username ?? '') !== '') {
    rows.push(['Username', ui.username ?? '']);
  }
  if ((ui.uid ?? '') !== '') {
    rows.push(['UID', ui.uid ?? '']);
  }
  if ((ui.groups ?? []).length > 0) {
    rows.push(['Groups', goList(ui.groups ?? [])]);
  }
  for (const k of Object.keys(ui.extra ?? {}).sort()) {
    rows.push([`Extra: ${k}`, goList(ui.extra?.[k] ?? [])]);
  }
  ctx.stdout.write(tabbed(rows, 3, 6));
  return 0;
}

const canIVerb: Verb = {
  use: 'can-i VERB [TYPE | TYPE/NAME | NONRESOURCEURL]',
  short: 'Check whether an action is allowed',
  flags: [
    { name: 'all-namespaces', short: 'A', type: 'bool', default: false, usage: 'If true, check the specified action in all namespaces.' },
    { name: 'list', type: 'bool', default: false, usage: 'If true, prints all allowed actions.' },
    { name: 'no-headers', type: 'bool', default: false, usage: 'If true, prints allowed actions without headers' },
    { name: 'quiet', short: 'q', type: 'bool', default: false, usage: 'If true, suppress output and just return the exit code.' },
    { name: 'subresource', type: 'string', default: '', usage: 'SubResource such as pod/log or deployment/scale' },
  ],
  run: canI,
};

const whoamiVerb: Verb = {
  use: 'whoami',
  short: 'Experimental: Check self subject attributes',
  flags: printFlagSpecs(),
  run: whoami,
};

const table: SubverbTable = {
  'can-i': { short: 'Check whether an action is allowed', load: () => Promise.resolve(canIVerb) },
  whoami: { short: 'Experimental: Check self subject attributes', load: () => Promise.resolve(whoamiVerb) },
};

const verb: Verb = {
  use: 'auth',
  short: 'Inspect authorization',
  long: 'Inspect authorization.',
  flags: [],
  passThroughArgs: true,
  async run(ctx, args, flags) {
    const code = await runSubverbs(ctx, 'auth', verb, table, args, flags);
    const bare = !args.some((a) => !a.startsWith('-') || a === '-') && !args.includes('--help') && !args.includes('-h');
    return bare ? 1 : code;
  },
};

export default verb;
