/**
 * `kubectl diff -f FILE|DIR|-`: each object's live version and the version a dry-run apply
 * (client-side three-way patch, or `--server-side` apply patch) would leave, written as YAML into
 * `LIVE-*` / `MERGED-*` temp directories and compared with `$KUBECTL_EXTERNAL_DIFF` or `diff -u -N`.
 * Exit 0: no differences, 1: differences, >1: an error (upstream's CheckDiffErr).
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FlagSpec, FlagValues, KubectlContext, Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { StatusError } from '../../api/errors.ts';
import { PatchType } from '../../client/rest.ts';
import { errorMessage, RawMessageError } from '../cli/errors.ts';
import { FlagError, parseFlags } from '../cli/flags.ts';
import { formatHelp } from '../cli/help.ts';
import { threeWayPatch } from '../apply/threeway.ts';
import { filenameFlags, filenames } from '../mutate/create-files.ts';
import { getLastApplied, LAST_APPLIED } from '../mutate/lastapplied.ts';
import { readManifests } from '../mutate/manifests.ts';
import type { ManifestObject } from '../mutate/manifests.ts';
import { goJson } from '../printers/gofmt.ts';
import { toYaml } from '../printers/yaml.ts';
import { runDiffProgram } from '../apply/diffprogram.ts';
import { findPrunable, parseAllowlist } from '../apply/prune.ts';

type Obj = Record<string, unknown>;

const CLIENT_SIDE_MANAGER = 'kubectl-client-side-apply';

const diffLong = `Diff configurations specified by file name or stdin between the current online configuration, and the configuration as it would be if applied.

 The output is always YAML.

 KUBECTL_EXTERNAL_DIFF environment variable can be used to select your own diff command. Users can use external commands with params too, example: KUBECTL_EXTERNAL_DIFF="colordiff -N -u"

 By default, the "diff" command available in your path will be run with the "-u" (unified diff) and "-N" (treat absent files as empty) options.

 Exit status: 0 No differences were found. 1 Differences were found. >1 Kubectl or diff failed with an error.

 Note: KUBECTL_EXTERNAL_DIFF, if used, is expected to follow that convention.`;

const diffExample = `  # Diff resources included in pod.json
  kubectl diff -f pod.json
  
  # Diff file read from stdin
  cat service.yaml | kubectl diff -f -`;

const diffFlags: readonly FlagSpec[] = [
  { name: 'concurrency', type: 'int', default: 1, usage: 'Number of objects to process in parallel when diffing against the live version. Larger number = faster, but more memory, I/O and CPU over that shorter period of time.' },
  { name: 'field-manager', type: 'string', default: CLIENT_SIDE_MANAGER, usage: 'Name of the manager used to track field ownership.' },
  ...filenameFlags('contains the configuration to diff'),
  { name: 'force-conflicts', type: 'bool', default: false, usage: 'If true, server-side apply will force the changes against conflicts.' },
  { name: 'prune', type: 'bool', default: false, usage: 'Include resources that would be deleted by pruning. Can be used with -l and default shows all resources would be pruned' },
  { name: 'prune-allowlist', type: 'stringArray', default: [], usage: 'Overwrite the default allowlist with <group/version/kind> for --prune' },
  { name: 'selector', short: 'l', type: 'string', usage: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints." },
  { name: 'server-side', type: 'bool', default: false, usage: 'If true, apply runs in the server instead of the client.' },
  { name: 'show-managed-fields', type: 'bool', default: false, usage: 'If true, include managed fields in the diff.' },
];

function refOf(m: ManifestObject): { group: string; version: string; resource: string; namespace?: string; name: string } {
  return { group: m.mapping.group, version: m.mapping.version, resource: m.mapping.resource, namespace: m.mapping.namespaced ? m.namespace : undefined, name: m.name };
}

/** The file name upstream gives an object: `[group.]version.Kind.namespace.name`. */
function fileName(m: ManifestObject): string {
  const group = m.mapping.group === '' ? '' : `${m.mapping.group}.`;
  return `${group}${m.mapping.version}.${m.mapping.kind}.${m.namespace}.${m.name}`;
}

/** GetModifiedConfiguration without annotating: the local object minus its own last-applied annotation, `annotations: {}` left behind. */
function modifiedConfiguration(local: Obj): Obj {
  const meta = { ...((local.metadata ?? {}) as Obj) };
  const annotations = { ...((meta.annotations ?? {}) as Record<string, string>) };
  delete annotations[LAST_APPLIED];
  meta.annotations = annotations;
  return JSON.parse(goJson({ ...local, metadata: meta })) as Obj;
}

/** The object as it would be after `kubectl apply` (server dry run), undefined never: a missing object is dry-run created. */
async function merged(ctx: KubectlContext, flags: FlagValues, m: ManifestObject, live: Obj | undefined): Promise<Obj> {
  const client = await ctx.client();
  const serverSide = flags.get('server-side') === true;
  const managerFlag = typeof flags.get('field-manager') === 'string' ? (flags.get('field-manager') as string) : CLIENT_SIDE_MANAGER;
  if (serverSide) {
    // GetApplyFieldManagerFlag: server-side apply's manager is "kubectl" unless the flag was given
    const manager = ctx.changed?.has('field-manager') === true ? managerFlag : 'kubectl';
    return (await client.patch(refOf(m), goJson(m.object), PatchType.Apply, { fieldManager: manager, force: flags.get('force-conflicts') === true, dryRun: 'All' })) as Obj;
  }
  if (live === undefined) {
    return (await client.create({ ...refOf(m), name: undefined }, m.object, { fieldManager: managerFlag, dryRun: 'All' })) as Obj;
  }
  const modified = modifiedConfiguration(m.object);
  const apiVersion = String(modified.apiVersion ?? '');
  const slash = apiVersion.indexOf('/');
  const gvk = { group: slash < 0 ? '' : apiVersion.slice(0, slash), version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1), kind: String(modified.kind ?? '') };
  const { type, patch } = threeWayPatch(gvk, getLastApplied(live) ?? {}, modified, live);
  if (Object.keys(patch).length === 0) {
    return live;
  }
  // the patch carries the live resourceVersion, so a concurrent change is a conflict (retried)
  const withVersion = { ...patch, metadata: { ...((patch.metadata ?? {}) as Obj), resourceVersion: (live.metadata as Obj | undefined)?.resourceVersion } };
  return (await client.patch(refOf(m), withVersion, type === 'strategic' ? PatchType.StrategicMerge : PatchType.Merge, { fieldManager: managerFlag, dryRun: 'All' })) as Obj;
}

function withoutManagedFields(obj: Obj | undefined): Obj | undefined {
  if (obj === undefined || obj.metadata === undefined) {
    return obj;
  }
  const meta = { ...(obj.metadata as Obj) };
  delete meta.managedFields;
  return { ...obj, metadata: meta };
}

/** Upstream's Masker: Secret `data` values become `***`, or `*** (before)`/`*** (after)` where they differ. */
function maskSecrets(from: Obj | undefined, to: Obj): { from: Obj | undefined; to: Obj } {
  const fromData = from?.data as Record<string, unknown> | undefined;
  const toData = to.data as Record<string, unknown> | undefined;
  const f: Record<string, unknown> = { ...(fromData ?? {}) };
  const t: Record<string, unknown> = { ...(toData ?? {}) };
  for (const k of Object.keys(f)) {
    if (k in t) {
      if (f[k] !== t[k]) {
        f[k] = '*** (before)';
        t[k] = '*** (after)';
        continue;
      }
      t[k] = '***';
    }
    f[k] = '***';
  }
  for (const k of Object.keys(t)) {
    if (!(k in f)) {
      t[k] = '***';
    }
  }
  return { from: from !== undefined && fromData !== undefined ? { ...from, data: f } : from, to: toData !== undefined ? { ...to, data: t } : to };
}

/** A new directory named like Go's os.MkdirTemp("", "<prefix>-") makes it: a random decimal suffix. */
async function tempDir(prefix: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const dir = join(tmpdir(), `${prefix}-${randomInt(0, 2 ** 32 - 1)}`);
    try {
      await mkdir(dir, { mode: 0o700 });
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 100) {
        throw e;
      }
    }
  }
}

function isConflict(e: unknown): boolean {
  return e instanceof StatusError && e.code === 409;
}

async function runDiff(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number> {
  const files = filenames(flags);
  if (files.length === 0) {
    throw new CliError('must specify one of -f and -k');
  }
  const serverSide = flags.get('server-side') === true;
  if (flags.get('force-conflicts') === true && !serverSide) {
    throw new CliError('--force-conflicts only works with --server-side');
  }
  if (args.length > 0) {
    throw new CliError(`Unexpected args: [${args.join(' ')}]\nSee 'kubectl diff -h' for help and examples`);
  }
  const selector = typeof flags.get('selector') === 'string' ? (flags.get('selector') as string) : '';
  let objects = await readManifests(ctx, files, flags.get('recursive') === true);
  if (selector !== '') {
    const { parseLabelSelector } = await import('../../api/selectors/labels.ts');
    const sel = parseLabelSelector(selector);
    objects = objects.filter((m) => sel.matches(((m.object.metadata ?? {}) as Obj).labels as Record<string, string> | undefined));
  }
  const prune = flags.get('prune') === true;
  const allowlistFlag = flags.get('prune-allowlist');
  const allowlist = prune ? await parseAllowlist(await ctx.discovery(), Array.isArray(allowlistFlag) ? (allowlistFlag as string[]) : []) : [];
  const visitedNamespaces = new Set<string>();
  const visitedUids = new Set<string>();
  const client = await ctx.client();
  const liveDir = await tempDir('LIVE');
  let mergedDir: string;
  try {
    mergedDir = await tempDir('MERGED');
  } catch (e) {
    await rm(liveDir, { recursive: true, force: true });
    throw e;
  }
  try {
    const showManaged = flags.get('show-managed-fields') === true;
    for (const m of objects) {
      let live: Obj | undefined;
      let after: Obj | undefined;
      const maxRetries = 4;
      for (let attempt = 1; attempt <= maxRetries; attempt++) {
        try {
          live = (await client.get(refOf(m))) as Obj;
        } catch (e) {
          if (!(e instanceof StatusError) || e.code !== 404) {
            throw e;
          }
          live = undefined;
        }
        try {
          after = await merged(ctx, flags, m, live);
          break;
        } catch (e) {
          if (!isConflict(e) || attempt === maxRetries) {
            throw e;
          }
        }
      }
      if (m.namespace !== '') {
        visitedNamespaces.add(m.namespace);
      }
      const uid = ((live?.metadata ?? {}) as Obj).uid;
      visitedUids.add(typeof uid === 'string' ? uid : '');
      let from = showManaged ? live : withoutManagedFields(live);
      let to = (showManaged ? after : withoutManagedFields(after)) as Obj;
      // a masked Secret's missing live side goes through the masker and prints as YAML null
      let missingLive = '';
      if (to.apiVersion === 'v1' && to.kind === 'Secret') {
        ({ from, to } = maskSecrets(from, to));
        missingLive = 'null\n';
      }
      const name = fileName(m);
      await writeFile(join(liveDir, name), from === undefined ? missingLive : toYaml(from), { mode: 0o700 });
      await writeFile(join(mergedDir, name), toYaml(to), { mode: 0o700 });
      if (((live?.metadata ?? {}) as Obj).deletionTimestamp !== undefined) {
        ctx.stderr.write(`Warning: Detected changes to resource ${name} which is currently being deleted.\n`);
      }
    }
    if (prune) {
      // what apply --prune would delete appears only on the live side (as it is, managedFields included)
      for (const obj of await findPrunable(ctx, { allowlist, selector, namespaces: visitedNamespaces, visitedUids, dryRun: 'none' })) {
        const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
        const apiVersion = String(obj.apiVersion ?? '');
        const gv = apiVersion.includes('/') ? apiVersion.replace('/', '.') : apiVersion;
        await writeFile(join(liveDir, `${gv}.${String(obj.kind ?? '')}.${meta.namespace ?? ''}.${meta.name ?? ''}`), toYaml(obj), { mode: 0o700 });
      }
    }
    return await runDiffProgram(ctx, liveDir, mergedDir);
  } finally {
    await rm(liveDir, { recursive: true, force: true });
    await rm(mergedDir, { recursive: true, force: true });
  }
}

const diff: Verb = {
  use: 'diff -f FILENAME',
  short: 'Diff the live version against a would-be applied version',
  long: diffLong,
  example: diffExample,
  flags: diffFlags,
  // diff parses its own flags: its flag errors and every failure exit with 2, not 1 (1 means "differences")
  passThroughArgs: true,
  async run(ctx, rawArgs, globals) {
    let parsed;
    try {
      parsed = parseFlags(rawArgs, diffFlags);
    } catch (e) {
      if (e instanceof FlagError) {
        throw new RawMessageError(`error: ${e.message}\nSee 'kubectl diff -h' for help and examples`, 2);
      }
      throw e;
    }
    if (parsed.help) {
      ctx.stdout.write(formatHelp('diff', diff));
      return 0;
    }
    const flags = new Map([...globals, ...parsed.values]);
    const sub: KubectlContext = Object.assign(Object.create(Object.getPrototypeOf(ctx) as object) as KubectlContext, ctx, { changed: new Set([...(ctx.changed ?? []), ...parsed.changed]) });
    try {
      return await runDiff(sub, parsed.args, flags);
    } catch (e) {
      if (e instanceof RawMessageError) {
        throw e;
      }
      throw new RawMessageError(errorMessage(e), 2);
    }
  },
};

export default diff;
