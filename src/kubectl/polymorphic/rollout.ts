/**
 * The `kubectl rollout` sub-verbs: status (watching until done), history, undo, restart, pause
 * and resume, over Deployments, DaemonSets and StatefulSets, with upstream's messages.
 */
import { PatchType } from '../../client/rest.ts';
import type { FlagSpec, FlagValues, KubectlContext, Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { RawMessageError } from '../cli/errors.ts';
import { boolFlag, numberFlag, stringFlag } from './flagvalues.ts';
import { historyTable, pickRollbackRevision, revisionsOf, revisionTemplate, rollback } from './history.ts';
import type { Revision } from './history.ts';
import { formatObjects, OBJECT_OUTPUT_FORMATS, parseOutput, printFlagSpecs } from '../printers/index.ts';
import { podTemplateText } from './podtemplate.ts';
import { dryRunFlag, dryRunStrategy, selectorFlag } from './nodes.ts';
import type { DryRunStrategy } from './nodes.ts';
import { statusViewerFor } from './statusviewer.ts';
import { groupResource, qualifiedName, refOf, resolveTargets } from './targets.ts';
import type { Target } from './targets.ts';
import { UntilTimeoutError, untilWithSync } from './until.ts';

const filenameFlag: FlagSpec = { name: 'filename', short: 'f', type: 'stringArray', default: [], usage: 'Filename, directory, or URL to files identifying the resource to get from a server.' };
const recursiveFlag: FlagSpec = { name: 'recursive', short: 'R', type: 'bool', default: false, usage: 'Process the directory used in -f, --filename recursively. Useful when you want to manage related manifests organized within the same directory.' };
const fieldManagerFlag: FlagSpec = { name: 'field-manager', type: 'string', default: 'kubectl-rollout', usage: 'Name of the manager used to track field ownership.' };

async function targetsFor(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<{ targets: Target[]; namespace: string }> {
  if (args.length === 0) {
    throw new CliError('required resource not specified');
  }
  const { namespace } = await ctx.namespace();
  const targets = await resolveTargets(await ctx.client(), await ctx.discovery(), namespace, args, { selector: stringFlag(flags, 'selector'), allowEmptySelector: true });
  return { targets, namespace };
}

function suffix(dryRun: DryRunStrategy): string {
  return dryRun === 'client' ? ' (dry run)' : dryRun === 'server' ? ' (server dry run)' : '';
}

const status: Verb = {
  use: 'status (TYPE NAME | TYPE/NAME) [flags]',
  short: 'Show the status of the rollout',
  flags: [
    filenameFlag,
    { name: 'kustomize', short: 'k', type: 'string', default: '', usage: 'Process the kustomization directory. This flag can\'t be used together with -f or -R.' },
    recursiveFlag,
    { name: 'watch', short: 'w', type: 'bool', default: true, usage: "Watch the status of the rollout until it's done." },
    { name: 'revision', type: 'int', default: 0, usage: 'Pin to a specific revision for showing its status. Defaults to 0 (last revision).' },
    { name: 'timeout', type: 'duration', default: 0, usage: 'The length of time to wait before ending watch, zero means never. Any other values should contain a corresponding time unit (e.g. 1s, 2m, 3h).' },
    selectorFlag,
  ],
  async run(ctx, args, flags) {
    const revision = numberFlag(flags, 'revision', 0);
    if (args.length === 0) {
      throw new CliError('required resource not specified');
    }
    if (revision < 0) {
      throw new CliError(`revision must be a positive integer: ${revision}`);
    }
    const { targets, namespace } = await targetsFor(ctx, args, flags);
    const client = await ctx.client();
    const watch = boolFlag(flags, 'watch');
    for (const t of targets) {
      const viewer = statusViewerFor(t.mapping.group, t.mapping.kind);
      try {
        await untilWithSync(client, refOf(t.mapping, t.namespace), { fieldSelector: `metadata.name=${t.name}` }, numberFlag(flags, 'timeout', 0), (type, obj) => {
          if (type === 'SYNC') {
            return false;
          }
          if (type === 'DELETED') {
            throw new Error('object has been deleted');
          }
          if (obj === undefined) {
            return false;
          }
          const s = viewer(obj, revision);
          ctx.stdout.write(s.message);
          return s.done || !watch;
        });
      } catch (e) {
        if (e instanceof UntilTimeoutError) {
          throw new CliError(e.message);
        }
        throw e;
      }
    }
    if (targets.length === 0) {
      ctx.stderr.write(`No resources found in ${namespace} namespace.\n`);
    }
    return 0;
  },
};

const history: Verb = {
  use: 'history (TYPE NAME | TYPE/NAME) [flags]',
  short: 'View rollout history',
  flags: [filenameFlag, recursiveFlag, { name: 'revision', type: 'int', default: 0, usage: 'See the details, including podTemplate of the revision specified' }, selectorFlag, ...printFlagSpecs()],
  async run(ctx, args, flags) {
    const { targets } = await targetsFor(ctx, args, flags);
    const client = await ctx.client();
    const revision = numberFlag(flags, 'revision', 0);
    const output = parseOutput(flags, OBJECT_OUTPUT_FORMATS);
    for (const t of targets) {
      if (!['Deployment', 'DaemonSet', 'StatefulSet'].includes(t.mapping.kind) || t.mapping.group !== 'apps') {
        throw new CliError(`no history viewer has been implemented for "${t.mapping.group === '' ? t.mapping.kind : `${t.mapping.kind}.${t.mapping.group}`}"`);
      }
      const revisions = await revisionsOf(client, t.mapping.kind, t.object);
      const asObject = (r: Revision): Record<string, unknown> => {
        if (t.mapping.kind === 'Deployment') {
          // the ReplicaSet as the typed client decodes it (minReadySeconds is omitempty)
          const rs: Record<string, unknown> = { ...(r.source as unknown as Record<string, unknown>), apiVersion: 'apps/v1', kind: 'ReplicaSet' };
          const spec = { ...((rs.spec ?? {}) as Record<string, unknown>) };
          if (spec.minReadySeconds === 0) {
            delete spec.minReadySeconds;
          }
          return { ...rs, spec };
        }
        // DaemonSets and StatefulSets: the live object with the revision applied
        const live = t.object as unknown as Record<string, unknown>;
        const template = revisionTemplate(t.mapping.kind, r) as { spec?: Record<string, unknown> };
        if (template.spec !== undefined) {
          // typed containers always carry `resources`
          const withResources = (cs: unknown): unknown => (Array.isArray(cs) ? cs.map((c: Record<string, unknown>) => ({ ...c, resources: c.resources ?? {} })) : cs);
          template.spec = { ...template.spec, containers: withResources(template.spec.containers) };
          if (template.spec.initContainers !== undefined) {
            template.spec.initContainers = withResources(template.spec.initContainers);
          }
        }
        return { ...live, apiVersion: 'apps/v1', kind: t.mapping.kind, spec: { ...((live.spec ?? {}) as Record<string, unknown>), template } };
      };
      if (output.format !== '') {
        // -o prints the ReplicaSets / ControllerRevisions behind the revisions, one document each
        if (revision > 0) {
          const r = revisions.find((x) => x.revision === revision);
          if (r === undefined) {
            throw new CliError('unable to find the specified revision');
          }
          ctx.stdout.write(await formatObjects([asObject(r)], output, flags, true));
        } else {
          const byRev = new Map(revisions.map((r) => [r.revision, r] as const));
          let printed = 0;
          for (const n of [...byRev.keys()].sort((a, b) => a - b)) {
            // the YAML printer separates documents
            const sep = printed++ > 0 && output.format === 'yaml' ? '---\n' : '';
            ctx.stdout.write(sep + (await formatObjects([asObject(byRev.get(n) as Revision)], output, flags, true)));
          }
        }
        continue;
      }
      if (revision > 0 && revisions.length > 0) {
        const r = revisions.find((x) => x.revision === revision);
        if (r === undefined) {
          throw new CliError('unable to find the specified revision');
        }
        ctx.stdout.write(`${qualifiedName(t.mapping, t.name)} with revision #${revision}\n${podTemplateText(revisionTemplate(t.mapping.kind, r))}\n`);
        continue;
      }
      ctx.stdout.write(`${qualifiedName(t.mapping, t.name)} ${revision > 0 ? `with revision #${revision}` : ''}\n${historyTable(revisions)}\n`);
    }
    return 0;
  },
};

const undo: Verb = {
  use: 'undo (TYPE NAME | TYPE/NAME) [flags]',
  short: 'Undo a previous rollout',
  flags: [filenameFlag, recursiveFlag, { name: 'to-revision', type: 'int', default: 0, usage: 'The revision to rollback to. Default to 0 (last revision).' }, dryRunFlag, selectorFlag],
  async run(ctx, args, flags) {
    const dryRun = dryRunStrategy(flags);
    const { targets } = await targetsFor(ctx, args, flags);
    const client = await ctx.client();
    const to = numberFlag(flags, 'to-revision', 0);
    for (const t of targets) {
      if (!['Deployment', 'DaemonSet', 'StatefulSet'].includes(t.mapping.kind) || t.mapping.group !== 'apps') {
        throw new CliError(`no rollbacker has been implemented for "${t.mapping.group === '' ? t.mapping.kind : `${t.mapping.kind}.${t.mapping.group}`}"`);
      }
      const revisions = await revisionsOf(client, t.mapping.kind, t.object);
      let target;
      try {
        target = pickRollbackRevision(t.mapping.kind, t.name, revisions, to);
      } catch (e) {
        throw new CliError((e as Error).message);
      }
      if (dryRun === 'client') {
        throw new CliError('rollout undo --dry-run=client is not supported by k8ts kubectl yet');
      }
      const op = await rollback(client, t.mapping.kind, t.object, target, to, dryRun === 'server');
      ctx.stdout.write(`${qualifiedName(t.mapping, t.name)} ${op}${suffix(dryRun)}\n`);
    }
    return 0;
  },
};

/** Go's time.Now().Format(time.RFC3339) in local time. */
function rfc3339Now(): string {
  const d = new Date();
  const off = -d.getTimezoneOffset();
  const pad = (n: number): string => String(n).padStart(2, '0');
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${zone}`;
}

type PatchFn = (t: Target) => unknown;

/** Applies a computed strategic-merge patch per target; errors collected as upstream (`error: deployments.apps "x" is already paused`). */
async function patchEach(ctx: KubectlContext, args: readonly string[], flags: FlagValues, operation: string, already: string | undefined, make: PatchFn): Promise<number> {
  const { targets, namespace } = await targetsFor(ctx, args, flags);
  const client = await ctx.client();
  if (targets.length === 0) {
    ctx.stderr.write(`No resources found in ${namespace} namespace.\n`);
    return 0;
  }
  const errors: string[] = [];
  for (const t of targets) {
    let patch: unknown;
    try {
      patch = make(t);
    } catch (e) {
      errors.push(`error: ${groupResource(t.mapping)} "${t.name}" ${(e as Error).message}`);
      continue;
    }
    if (patch === undefined && already !== undefined) {
      ctx.stdout.write(`${qualifiedName(t.mapping, t.name)} ${already}\n`);
      continue;
    }
    try {
      await client.patch(refOf(t.mapping, t.namespace, t.name), patch, PatchType.StrategicMerge, { fieldManager: stringFlag(flags, 'field-manager') });
    } catch (e) {
      errors.push(`failed to patch: ${(e as Error).message}`);
      continue;
    }
    ctx.stdout.write(`${qualifiedName(t.mapping, t.name)} ${operation}\n`);
  }
  if (errors.length > 0) {
    throw new RawMessageError(errors.map((m) => (m.startsWith('error: ') ? m : `error: ${m}`)).join('\n'));
  }
  return 0;
}

function spec(t: Target): { paused?: boolean } {
  return ((t.object as { spec?: { paused?: boolean } }).spec ?? {});
}

const isApps = (t: Target, kinds: readonly string[]): boolean => t.mapping.group === 'apps' && kinds.includes(t.mapping.kind);

const restart: Verb = {
  use: 'restart RESOURCE',
  short: 'Restart a resource',
  flags: [filenameFlag, recursiveFlag, fieldManagerFlag, selectorFlag],
  run: (ctx, args, flags) =>
    patchEach(ctx, args, flags, 'restarted', undefined, (t) => {
      if (!isApps(t, ['Deployment', 'DaemonSet', 'StatefulSet'])) {
        throw new Error('restarting is not supported');
      }
      if (t.mapping.kind === 'Deployment' && spec(t).paused === true) {
        throw new Error("can't restart paused deployment (run rollout resume first)");
      }
      return { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': rfc3339Now() } } } } };
    }),
};

const pause: Verb = {
  use: 'pause RESOURCE',
  short: 'Mark the provided resource as paused',
  flags: [filenameFlag, recursiveFlag, fieldManagerFlag, selectorFlag],
  run: (ctx, args, flags) =>
    patchEach(ctx, args, flags, 'paused', 'already paused', (t) => {
      if (!isApps(t, ['Deployment'])) {
        throw new Error('pausing is not supported');
      }
      if (spec(t).paused === true) {
        throw new Error('is already paused');
      }
      return { spec: { paused: true } };
    }),
};

const resume: Verb = {
  use: 'resume RESOURCE',
  short: 'Resume a paused resource',
  flags: [filenameFlag, recursiveFlag, fieldManagerFlag, selectorFlag],
  run: (ctx, args, flags) =>
    patchEach(ctx, args, flags, 'resumed', 'already resumed', (t) => {
      if (!isApps(t, ['Deployment'])) {
        throw new Error('resuming is not supported');
      }
      if (spec(t).paused !== true) {
        throw new Error('is not paused');
      }
      return { spec: { paused: null } };
    }),
};

/** The sub-verbs by name. */
export const rolloutSubverbs: Readonly<Record<string, Verb>> = { status, history, undo, restart, pause, resume };
