/** `kubectl run NAME --image=image`: creates one Pod (the pod generator); attaching (-i/--rm/--attach) is not supported. */
import type { Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { runPod } from '../generators/workloads.ts';
import { DryRun, dryRunFlag, dryRunStrategy, fieldManagerFlag, fieldValidation, printFlags, printObject, validateFlag } from '../mutate/common.ts';
import { checkRequired } from '../mutate/generated.ts';

const run: Verb = {
  use: 'run NAME --image=image [--env="key=value"] [--port=port] [--dry-run=server|client] [--overrides=inline-json] [--command] -- [COMMAND] [args...]',
  short: 'Run a particular image on the cluster',
  flags: [
    { name: 'image', type: 'string', usage: 'The image for the container to run.' },
    { name: 'env', type: 'stringArray', usage: 'Environment variables to set in the container.' },
    { name: 'labels', short: 'l', type: 'string', usage: 'Comma separated labels to apply to the pod. Will override previous values.' },
    { name: 'annotations', type: 'stringArray', usage: 'Annotations to apply to the pod.' },
    { name: 'port', type: 'string', usage: "The port that this container exposes." },
    { name: 'restart', type: 'string', default: 'Always', usage: "The restart policy for this Pod.  Legal values [Always, OnFailure, Never]." },
    { name: 'image-pull-policy', type: 'string', usage: "The image pull policy for the container.  If left empty, this value will not be specified by the client and defaulted by the server." },
    { name: 'command', type: 'bool', default: false, usage: 'If true and extra arguments are present, use them as the \'command\' field in the container, rather than the \'args\' field which is the default.' },
    { name: 'stdin', short: 'i', type: 'bool', default: false, usage: 'Keep stdin open on the container in the pod, even if nothing is attached.' },
    { name: 'tty', short: 't', type: 'bool', default: false, usage: 'Allocate a TTY for the container in the pod.' },
    { name: 'rm', type: 'bool', default: false, usage: 'If true, delete the pod after it exits.  Only valid when attaching to the container, e.g. with \'--attach\' or with \'-i/--stdin\'.' },
    { name: 'attach', type: 'bool', default: false, usage: "If true, wait for the Pod to start running, and then attach to the Pod as if 'kubectl attach ...' were called." },
    { name: 'overrides', type: 'string', usage: 'An inline JSON override for the generated object.' },
    dryRunFlag,
    validateFlag,
    fieldManagerFlag('kubectl-run'),
    ...printFlags,
  ],
  async run(ctx, args, flags) {
    const dash = ctx.dashAt !== undefined && ctx.dashAt >= 0 ? ctx.dashAt : args.length;
    if (args.length === 0 || dash === 0) {
      checkRequired(ctx, ['image']);
      throw new CliError(`NAME is required for run\nSee 'kubectl run -h' for help and examples`);
    }
    checkRequired(ctx, ['image']);
    if (flags.get('stdin') === true || flags.get('attach') === true || flags.get('rm') === true || flags.get('tty') === true) {
      throw new CliError('attaching to the pod (-i, -t, --attach, --rm) is not supported by k8ts kubectl run');
    }
    if (typeof flags.get('overrides') === 'string' && flags.get('overrides') !== '') {
      throw new CliError('--overrides is not supported by k8ts kubectl run');
    }
    const name = args[0] ?? '';
    const dryRun = dryRunStrategy(flags);
    const validation = fieldValidation(flags);
    const ns = await ctx.namespace();
    let pod: Record<string, unknown> = runPod({ name, args: args.slice(1), flags, enforcedNamespace: ns.explicit ? ns.namespace : undefined });
    if (dryRun !== DryRun.Client) {
      const client = await ctx.client();
      pod = (await client.create({ group: '', version: 'v1', resource: 'pods', namespace: ns.namespace }, pod, {
        fieldManager: typeof flags.get('field-manager') === 'string' ? (flags.get('field-manager') as string) : 'kubectl-run',
        fieldValidation: validation,
        dryRun: dryRun === DryRun.Server ? 'All' : undefined,
      })) as Record<string, unknown>;
    }
    await printObject(ctx, flags, pod, 'created', dryRun, true);
    return 0;
  },
};

export default run;
