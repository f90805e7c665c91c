/**
 * `kubectl wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)])
 * [--for=create|--for=delete|--for condition=available|--for=jsonpath='{}'[=value]]`: watches each
 * object until every condition holds, printing `pod/x condition met`, or fails on the timeout.
 */
import type { KubeObject } from '../../api/object.ts';
import { StatusError } from '../../api/errors.ts';
import type { RestClient } from '../../client/rest.ts';
import { CliError } from '../command.ts';
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { compileJsonPath, relaxedJsonPath, valueText } from '../printers/jsonpath.ts';
import { GoFloat64 } from '../printers/jsonpath-eval.ts';
import { arrayFlag, boolFlag, numberFlag, stringFlag } from '../polymorphic/flagvalues.ts';
import { qualifiedName, refOf, resolveTargets } from '../polymorphic/targets.ts';
import type { Target } from '../polymorphic/targets.ts';
import { UntilTimeoutError, untilWithSync } from '../polymorphic/until.ts';

/** A check of one object state: true when the condition holds (errors abort the wait). */
type Check = (obj: KubeObject) => boolean;

/** One parsed `--for` value. */
type Condition = { readonly kind: 'delete' } | { readonly kind: 'create' } | { readonly kind: 'check'; readonly check: Check };

function conditionCheck(name: string, want: string): Check {
  return (obj) => {
    const o = obj as { metadata: { generation?: number }; status?: { observedGeneration?: number; conditions?: readonly Record<string, unknown>[] } };
    for (const c of o.status?.conditions ?? []) {
      if (typeof c.type !== 'string' || c.type.toLowerCase() !== name.toLowerCase() || typeof c.status !== 'string') {
        continue;
      }
      const generation = o.metadata.generation;
      if (generation !== undefined) {
        const observed = typeof c.observedGeneration === 'number' ? c.observedGeneration : o.status?.observedGeneration;
        if (observed !== undefined && observed < generation) {
          return false;
        }
      }
      return c.status.toLowerCase() === want.toLowerCase();
    }
    return false;
  };
}

/** Splits `{.a}=v` at `=` but keeps `==` (upstream's splitJSONPathInput). */
export function splitJsonPathInput(input: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < input.length; i++) {
    if (input[i] === '=') {
      if (input[i + 1] === '=') {
        cur += '==';
        i++;
        continue;
      }
      out.push(cur);
      cur = '';
      continue;
    }
    cur += input[i];
  }
  out.push(cur);
  return out;
}

function jsonPathCheck(input: string): Check {
  const parts = splitJsonPathInput(input);
  if (parts.length < 1 || parts.length > 2) {
    throw new CliError("jsonpath wait format must be --for=jsonpath='{.status.readyReplicas}'=3 or --for=jsonpath='{.status.readyReplicas}'");
  }
  const expr = relaxedJsonPath(parts[0] ?? '');
  const value = parts.length === 2 ? (parts[1] ?? '').replace(/^['"]+|['"]+$/g, '') : undefined;
  if (value === '') {
    throw new CliError("jsonpath wait has to have a value after equal sign, like --for=jsonpath='{.status.readyReplicas}'=3");
  }
  if (expr === '') {
    throw new CliError('jsonpath expression cannot be empty');
  }
  const template = compileJsonPath(expr);
  return (obj) => {
    const results = template.findResults(obj, true);
    const first = results[0];
    if (first === undefined || first.length === 0) {
      return false;
    }
    if (results.length > 1) {
      throw new CliError('given jsonpath expression matches more than one list');
    }
    if (first.length > 1) {
      throw new CliError('given jsonpath expression matches more than one value');
    }
    if (value === undefined) {
      // Any value (even an object) satisfies a jsonpath wait without `=value`.
      return true;
    }
    const v = first[0];
    if (v !== null && typeof v === 'object' && !(v instanceof GoFloat64)) {
      throw new CliError('jsonpath leads to a nested object or list which is not supported');
    }
    return valueText(v).trim() === value.trim();
  };
}

/** Parses the `--for` values (upstream's conditionFuncsFor). */
export function parseConditions(values: readonly string[]): Condition[] {
  const out: Condition[] = [];
  for (const cond of values) {
    const lower = cond.toLowerCase();
    if (lower === 'delete') {
      out.push({ kind: 'delete' });
    } else if (lower === 'create') {
      out.push({ kind: 'create' });
    } else if (cond.startsWith('condition=')) {
      const rest = cond.slice('condition='.length);
      const eq = rest.indexOf('=');
      out.push({ kind: 'check', check: conditionCheck(eq < 0 ? rest : rest.slice(0, eq), eq < 0 ? 'true' : rest.slice(eq + 1)) });
    } else if (cond.startsWith('jsonpath=')) {
      out.push({ kind: 'check', check: jsonPathCheck(cond.slice('jsonpath='.length)) });
    } else {
      throw new CliError(`unrecognized condition: "${cond}"`);
    }
  }
  if (out.length === 0) {
    // The flag's zero value prints as Go's %q of an empty string.
    throw new CliError('unrecognized condition: ""');
  }
  return out;
}

function timeoutError(t: Target): CliError {
  return new CliError(`timed out waiting for the condition on ${t.mapping.resource}/${t.name}`);
}

/** Waits for one condition on one object; resolves when met. */
async function waitOne(client: RestClient, t: Target, cond: Condition, deadline: number, timeoutMs: number): Promise<void> {
  if (cond.kind === 'create') {
    return;
  }
  const ref = refOf(t.mapping, t.namespace, t.name);
  if (timeoutMs === 0) {
    let obj: KubeObject | undefined;
    try {
      obj = await client.get(ref);
    } catch (e) {
      if (cond.kind === 'delete' && e instanceof StatusError && e.code === 404) {
        return;
      }
      throw e;
    }
    if (cond.kind === 'delete' || !cond.check(obj)) {
      throw new CliError(`condition not met for ${t.mapping.resource}/${t.name}`);
    }
    return;
  }
  const left = deadline - Date.now();
  if (left <= 0) {
    throw timeoutError(t);
  }
  const uid = t.object.metadata.uid;
  // Whether the initial list had the object (upstream's precondition on the informer's store).
  let seen = false;
  try {
    await untilWithSync(client, ref, { fieldSelector: `metadata.name=${t.name}` }, left, (type, obj) => {
      if (type === 'ADDED') {
        seen = true;
      }
      if (cond.kind === 'delete') {
        // Gone, or replaced by a new object of the same name, counts as deleted.
        return type === 'DELETED' || (type === 'SYNC' && !seen) || (obj !== undefined && obj.metadata.uid !== uid);
      }
      if (type === 'SYNC') {
        if (!seen) {
          throw new StatusError(404, 'NotFound', `${t.mapping.group === '' ? t.mapping.resource : `${t.mapping.resource}.${t.mapping.group}`} "${t.name}" not found`);
        }
        return false;
      }
      if (type === 'DELETED' || obj === undefined) {
        return false;
      }
      return cond.check(obj);
    });
  } catch (e) {
    if (e instanceof UntilTimeoutError) {
      throw timeoutError(t);
    }
    throw e;
  }
}

const verb: Verb = {
  use: "wait ([-f FILENAME] | resource.group/resource.name | resource.group [(-l label | --all)]) [--for=create|--for=delete|--for condition=available|--for=jsonpath='{}'[=value]]",
  short: 'Experimental: Wait for a specific condition on one or many resources',
  flags: [
    { name: 'all', type: 'bool', default: false, usage: 'Select all resources in the namespace of the specified resource types' },
    { name: 'all-namespaces', short: 'A', type: 'bool', default: false, usage: "If present, list the requested object(s) across all namespaces. Namespace in current context is ignored even if specified with --namespace." },
    { name: 'field-selector', type: 'string', default: '', usage: "Selector (field query) to filter on, supports '=', '==', and '!='.(e.g. --field-selector key1=value1,key2=value2). The server only supports a limited number of field queries per type." },
    { name: 'filename', short: 'f', type: 'stringArray', default: [], usage: 'identifying the resource.' },
    { name: 'for', type: 'stringArray', default: [], usage: "The condition to wait on: [create|delete|condition=condition-name[=condition-value]|jsonpath='{JSONPath expression}'=[JSONPath value]]. The default condition-value is true. Condition values are compared after Unicode simple case folding, which is a more general form of case-insensitivity. Multiple conditions are supported and AND'ed to each other in a sequential order. If --for=create is passed, it is always waited first." },
    { name: 'local', type: 'bool', default: false, usage: 'If true, annotation will NOT contact api-server but run locally.' },
    { name: 'output', short: 'o', type: 'string', default: '', usage: 'Output format. One of: (json, yaml, name, go-template, go-template-file, template, templatefile, jsonpath, jsonpath-as-json, jsonpath-file).' },
    { name: 'recursive', short: 'R', type: 'bool', default: true, usage: 'Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory.' },
    { name: 'selector', short: 'l', type: 'string', default: '', usage: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints." },
    { name: 'timeout', type: 'duration', default: 30_000, usage: "The length of time to wait before giving up.  Zero means check once and don't wait, negative means wait for a week." },
  ],
  async run(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number> {
    const conditions = parseConditions(arrayFlag(flags, 'for'));
    let timeoutMs = numberFlag(flags, 'timeout', 30_000);
    if (timeoutMs < 0) {
      timeoutMs = 168 * 3_600_000;
    }
    if (args.length === 0) {
      throw new CliError("You must provide one or more resources by argument or filename.\nExample resource specifications include:\n   '-f rsrc.yaml'\n   '--filename=rsrc.json'\n   '<resource> <name>'\n   '<resource>'");
    }
    const deadline = Date.now() + timeoutMs;
    const { namespace } = await ctx.namespace();
    const client = await ctx.client();
    const discovery = await ctx.discovery();
    const find = (): Promise<Target[]> => resolveTargets(client, discovery, namespace, args, { selector: stringFlag(flags, 'selector'), all: boolFlag(flags, 'all') });
    if (conditions.some((c) => c.kind === 'create')) {
      for (;;) {
        try {
          if ((await find()).length > 0) {
            break;
          }
        } catch (e) {
          if (!(e instanceof StatusError && e.code === 404)) {
            throw e;
          }
        }
        if (Date.now() >= deadline) {
          throw new CliError('timed out waiting for the condition');
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const isDelete = conditions.some((c) => c.kind === 'delete');
    let targets: Target[];
    try {
      targets = await find();
    } catch (e) {
      if (isDelete && e instanceof StatusError && e.code === 404) {
        return 0;
      }
      throw e;
    }
    for (const t of targets) {
      for (const c of conditions) {
        await waitOne(client, t, c, deadline, timeoutMs);
        ctx.stdout.write(`${qualifiedName(t.mapping, t.name)} condition met\n`);
      }
    }
    if (targets.length === 0 && !isDelete) {
      throw new CliError('no matching resources found');
    }
    return 0;
  },
};

export default verb;
