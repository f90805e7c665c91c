/**
 * `kubectl apply -f`: client-side (the last-applied annotation and a three-way patch) or
 * `--server-side` (an apply patch owned by `--field-manager`), printing created / configured /
 * unchanged / serverside-applied like upstream.
 */
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { StatusError } from '../../api/errors.ts';
import { PatchType } from '../../client/rest.ts';
import { threeWayPatch } from '../apply/threeway.ts';
import { ErrorList } from '../cli/errors.ts';
import { cascadeFlag, DryRun, dryRunFlag, dryRunStrategy, fieldValidation, gracePeriodFlag, printFlags, printObject, validateFlag } from '../mutate/common.ts';
import { parseAllowlist, pruneAll } from '../apply/prune.ts';
import { filenameFlags, filenames, withSource } from '../mutate/create-files.ts';
import { getLastApplied, LAST_APPLIED, setLastApplied } from '../mutate/lastapplied.ts';
import { lastAppliedOwners, upgradeManagedFieldsPatch } from '../mutate/csaupgrade.ts';
import { goJson } from '../printers/gofmt.ts';
import { readManifests } from '../mutate/manifests.ts';
import type { ManifestObject } from '../mutate/manifests.ts';

type Obj = Record<string, unknown>;

/** An error as Go's `err.Error()` reads (a Status's message, else the message). */
function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const CLIENT_SIDE_MANAGER = 'kubectl-client-side-apply';

const conflictAdvice = `
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts`;

/** Go's `%v` of a resource.Info as upstream's apply errors print it. */
function resourceDescription(m: ManifestObject): string {
  const gv = m.mapping.group === '' ? m.mapping.version : `${m.mapping.group}/${m.mapping.version}`;
  return `Resource: "${gv}, Resource=${m.mapping.resource}", GroupVersionKind: "${gv}, Kind=${m.mapping.kind}"\nName: "${m.name}", Namespace: "${m.namespace}"`;
}

function refOf(m: ManifestObject): { group: string; version: string; resource: string; namespace?: string; name: string } {
  return { group: m.mapping.group, version: m.mapping.version, resource: m.mapping.resource, namespace: m.mapping.namespaced ? m.namespace : undefined, name: m.name };
}

function gvkOf(obj: Obj): { group: string; version: string; kind: string } {
  const apiVersion = String(obj.apiVersion ?? '');
  const slash = apiVersion.indexOf('/');
  return { group: slash < 0 ? '' : apiVersion.slice(0, slash), version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1), kind: String(obj.kind ?? '') };
}

function stringFlagOf(flags: FlagValues, name: string, fallback: string): string {
  const v = flags.get(name);
  return typeof v === 'string' && v !== '' ? v : fallback;
}

async function applyClientSide(ctx: KubectlContext, flags: FlagValues, m: ManifestObject, dryRun: DryRun): Promise<Obj> {
  const client = await ctx.client();
  const manager = stringFlagOf(flags, 'field-manager', CLIENT_SIDE_MANAGER);
  const validation = fieldValidation(flags);
  const modified = setLastApplied(m.object, 'unstructured');
  const query = { fieldManager: manager, fieldValidation: validation, dryRun: dryRun === DryRun.Server ? 'All' : undefined };
  let current: Obj;
  try {
    current = (await client.get(refOf(m))) as Obj;
  } catch (e) {
    if (!(e instanceof StatusError) || e.code !== 404) {
      throw e;
    }
    let created = modified;
    if (dryRun !== DryRun.Client) {
      try {
        created = (await client.create({ ...refOf(m), name: undefined }, modified, query)) as Obj;
      } catch (err) {
        throw withSource('creating', m.source, err);
      }
    }
    await printObject(ctx, flags, created, 'created', dryRun);
    return created;
  }
  if (dryRun === DryRun.Client) {
    // upstream computes no patch in a client dry run: the live object, always "configured"
    await printObject(ctx, flags, current, 'configured', dryRun);
    return current;
  }
  const original = getLastApplied(current);
  if (original === undefined) {
    ctx.stderr.write(
      `Warning: resource ${m.mapping.resource}/${m.name} is missing the ${LAST_APPLIED} annotation which is required by kubectl apply. kubectl apply should only be used on resources created declaratively by either kubectl create --save-config or kubectl apply. The missing annotation will be patched automatically.\n`,
    );
  }
  const { type, patch } = threeWayPatch(gvkOf(modified), original ?? {}, modified, current);
  if (Object.keys(patch).length === 0) {
    await printObject(ctx, flags, current, 'unchanged', dryRun);
    return current;
  }
  let result: Obj;
  try {
    result = (await client.patch(refOf(m), patch, type === 'strategic' ? PatchType.StrategicMerge : PatchType.Merge, query)) as Obj;
  } catch (err) {
    throw withSource(`applying patch:\n${goJson(patch)}\nto:\n${resourceDescription(m)}\nfor:`, m.source, err);
  }
  await printObject(ctx, flags, result, 'configured', dryRun);
  return result;
}

async function applyServerSide(ctx: KubectlContext, flags: FlagValues, m: ManifestObject, dryRun: DryRun): Promise<Obj> {
  const client = await ctx.client();
  const manager = ctx.changed?.has('field-manager') === true ? stringFlagOf(flags, 'field-manager', 'kubectl') : 'kubectl';
  const validation = fieldValidation(flags);
  const force = flags.get('force-conflicts') === true;
  const body = goJson(m.object);
  const query = { fieldManager: manager, fieldValidation: validation, force, dryRun: dryRun === DryRun.Server ? 'All' : undefined };
  let result: Obj;
  try {
    result = (await client.patch(refOf(m), body, PatchType.Apply, query)) as Obj;
  } catch (e) {
    if (e instanceof StatusError && e.code === 415) {
      throw new CliError(`Server-side apply not available on the server: (${e.message})`);
    }
    if (e instanceof StatusError && e.code === 409) {
      throw new CliError(`${e.message}${conflictAdvice}`);
    }
    throw e;
  }
  // Objects once applied client-side: keep the annotation owned by an applier, then fold the
  // client-side managers into ours and apply again (upstream's migration; failures are warnings).
  const annotation = ((result.metadata as Obj | undefined)?.annotations as Record<string, string> | undefined)?.[LAST_APPLIED];
  let migrate = true;
  if (manager === 'kubectl' && annotation !== undefined && lastAppliedOwners(result, 'Apply').length === 0) {
    const meta: Obj = { annotations: { [LAST_APPLIED]: annotation }, name: m.name };
    if (m.mapping.namespaced) {
      meta.namespace = m.namespace;
    }
    try {
      result = (await client.patch(refOf(m), goJson({ apiVersion: m.object.apiVersion, kind: m.object.kind, metadata: meta }), PatchType.Apply, { fieldManager: 'kubectl-last-applied', fieldValidation: validation, dryRun: query.dryRun })) as Obj;
    } catch (e) {
      migrate = false;
      ctx.stderr.write(`Warning: failed to migrate kubectl.kubernetes.io/last-applied-configuration for Server-Side Apply. This is non-fatal and will be retried next time you apply. Error: ${errorText(e)}\n`);
    }
  }
  const upgrade = migrate ? upgradeManagedFieldsPatch(result, lastAppliedOwners(result, 'Update'), manager) : undefined;
  if (upgrade !== undefined) {
    let upgradedOk = false;
    try {
      result = (await client.patch(refOf(m), upgrade, PatchType.Json, { dryRun: query.dryRun })) as Obj;
      upgradedOk = true;
    } catch (e) {
      ctx.stderr.write(`Warning: server rejected managed fields migration to Server-Side Apply. This is non-fatal and will be retried next time you apply. Error: ${errorText(e)}\n`);
    }
    if (upgradedOk) {
      try {
        result = (await client.patch(refOf(m), body, PatchType.Apply, query)) as Obj;
      } catch (e) {
        ctx.stderr.write(`Warning: failed to re-apply configuration after performing Server-Side Apply migration. This is non-fatal and will be retried next time you apply. Error: ${errorText(e)}\n`);
      }
    }
  }
  await printObject(ctx, flags, result, 'serverside-applied', dryRun);
  return result;
}

const apply: Verb = {
  use: 'apply (-f FILENAME | -k DIRECTORY)',
  short: 'Apply a configuration to a resource by file name or stdin',
  flags: [
    ...filenameFlags('that contains the configuration to apply'),
    { name: 'server-side', type: 'bool', default: false, usage: 'If true, apply runs in the server instead of the client.' },
    { name: 'force-conflicts', type: 'bool', default: false, usage: 'If true, server-side apply will force the changes against conflicts.' },
    { name: 'field-manager', type: 'string', default: CLIENT_SIDE_MANAGER, usage: 'Name of the manager used to track field ownership.' },
    { name: 'overwrite', type: 'bool', default: true, usage: 'Automatically resolve conflicts between the modified and live configuration by using values from the modified configuration' },
    { name: 'prune', type: 'bool', default: false, usage: 'Automatically delete resource objects, that do not appear in the configs and are created by either apply or create --save-config. Should be used with either -l or --all.' },
    { name: 'selector', short: 'l', type: 'string', usage: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints." },
    { name: 'all', type: 'bool', default: false, usage: 'Select all resources in the namespace of the specified resource types.' },
    { name: 'force', type: 'bool', default: false, usage: 'If true, immediately remove resources from API and bypass graceful deletion. Note that immediate deletion of some resources may result in inconsistency or data loss and requires confirmation.' },
    { name: 'wait', type: 'bool', default: false, usage: 'If true, wait for resources to be gone before returning. This waits for finalizers.' },
    { name: 'prune-allowlist', type: 'stringArray', default: [], usage: 'Overwrite the default allowlist with <group/version/kind> for --prune' },
    cascadeFlag,
    gracePeriodFlag,
    { name: 'timeout', type: 'duration', default: 0, usage: 'The length of time to wait before giving up on a delete, zero means determine a timeout from the size of the object' },
    dryRunFlag,
    validateFlag,
    ...printFlags,
  ],
  async run(ctx, args, flags) {
    const files = filenames(flags);
    if (files.length === 0) {
      throw new CliError('must specify one of -f and -k');
    }
    if (args.length > 0) {
      throw new CliError(`Unexpected args: [${args.join(' ')}]\nSee 'kubectl apply -h' for help and examples`);
    }
    const selector = typeof flags.get('selector') === 'string' ? (flags.get('selector') as string) : '';
    if (flags.get('all') === true && selector !== '') {
      throw new CliError('cannot set --all and --selector at the same time');
    }
    if (flags.get('prune') === true) {
      if (flags.get('force') === true) {
        throw new CliError('--force cannot be used with --prune');
      }
      if (flags.get('all') !== true && selector === '') {
        throw new CliError('all resources selected for prune without explicitly passing --all. To prune all resources, pass the --all flag. If you did not mean to prune all resources, specify a label selector');
      }
      if (flags.get('server-side') === true) {
        throw new CliError("--prune is in alpha and doesn't currently work on objects created by server-side apply");
      }
    }
    const dryRun = dryRunStrategy(flags);
    const serverSide = flags.get('server-side') === true;
    if (flags.get('force-conflicts') === true && !serverSide) {
      throw new CliError('--force-conflicts only works with --server-side');
    }
    if (dryRun === DryRun.Client && serverSide) {
      throw new CliError("--dry-run=client doesn't work with --server-side (did you mean --dry-run=server instead?)");
    }
    if (serverSide && flags.get('force') === true) {
      throw new CliError('--force cannot be used with --server-side');
    }
    const prune = flags.get('prune') === true;
    const allowlistFlag = flags.get('prune-allowlist');
    const allowlist = prune ? await parseAllowlist(await ctx.discovery(), Array.isArray(allowlistFlag) ? (allowlistFlag as string[]) : []) : [];
    const objects = await readManifests(ctx, files, flags.get('recursive') === true);
    if (selector !== '') {
      const { parseLabelSelector } = await import('../../api/selectors/labels.ts');
      const sel = parseLabelSelector(selector);
      objects.splice(0, objects.length, ...objects.filter((m) => sel.matches(((m.object.metadata ?? {}) as Obj).labels as Record<string, string> | undefined)));
    }
    if (objects.length === 0) {
      throw new CliError('no objects passed to apply');
    }
    const errors: unknown[] = [];
    const namespaces = new Set<string>();
    const visitedUids = new Set<string>();
    for (const m of objects) {
      if (m.namespace !== '') {
        namespaces.add(m.namespace);
      }
      try {
        const applied = await (serverSide ? applyServerSide(ctx, flags, m, dryRun) : applyClientSide(ctx, flags, m, dryRun));
        const uid = (applied.metadata as { uid?: string } | undefined)?.uid;
        if (uid !== undefined) {
          visitedUids.add(uid);
        }
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) {
      throw errors.length === 1 ? errors[0] : new ErrorList(errors);
    }
    if (prune) {
      await pruneAll(ctx, flags, { allowlist, selector, namespaces, visitedUids, dryRun });
    }
    return 0;
  },
};

export default apply;
