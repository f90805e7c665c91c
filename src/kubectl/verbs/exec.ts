/** `kubectl exec (POD | TYPE/NAME) [-c CONTAINER] [-i] [-t] -- COMMAND [args...]` over the v5 WebSocket stream protocol. */
import { CliError } from '../command.ts';
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { boolFlag, numberFlag, splitAtDash, stringFlag, usageError } from '../polymorphic/flagvalues.ts';
import { findOrDefaultContainer, podForArgument } from '../polymorphic/pods.ts';
import { runPodSession } from '../streams/session.ts';

const verb: Verb = {
  use: 'exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND [args...]',
  short: 'Execute a command in a container',
  flags: [
    { name: 'pod-running-timeout', type: 'duration', default: 60_000, usage: 'The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running' },
    { name: 'filename', short: 'f', type: 'stringArray', default: [], usage: 'to use to exec into the resource' },
    { name: 'container', short: 'c', type: 'string', default: '', usage: 'Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen' },
    { name: 'stdin', short: 'i', type: 'bool', default: false, usage: 'Pass stdin to the container' },
    { name: 'tty', short: 't', type: 'bool', default: false, usage: 'Stdin is a TTY' },
    { name: 'quiet', short: 'q', type: 'bool', default: false, usage: 'Only print output from the remote session' },
  ],
  async run(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number> {
    const { before, after, lenAtDash } = splitAtDash(ctx, args);
    const all = [...before, ...after];
    let resourceName = '';
    let command: readonly string[] = [];
    if (all.length > 0 && lenAtDash !== 0) {
      resourceName = all[0] ?? '';
    }
    if (lenAtDash === 0 || lenAtDash === 1) {
      command = all.slice(lenAtDash);
    } else if (all.length > 1) {
      throw usageError('kubectl exec', 'exec [POD] [COMMAND] is not supported anymore. Use exec [POD] -- [COMMAND] instead');
    }
    if (resourceName === '') {
      throw new CliError('pod, type/name or --filename must be specified');
    }
    if (command.length === 0) {
      throw new CliError('you must specify at least one command for the container');
    }
    const { namespace } = await ctx.namespace();
    const client = await ctx.client();
    const { pod } = await podForArgument(client, await ctx.discovery(), namespace, resourceName, numberFlag(flags, 'pod-running-timeout', 60_000));
    const phase = pod.status?.phase ?? '';
    if (phase === 'Succeeded' || phase === 'Failed') {
      throw new CliError(`cannot exec into a container in a completed pod; current phase is ${phase}`);
    }
    const quiet = boolFlag(flags, 'quiet');
    let container = stringFlag(flags, 'container');
    if (container === '') {
      container = findOrDefaultContainer(pod, '', quiet, (s) => void ctx.stderr.write(s)).name;
    }
    return runPodSession({
      connection: await ctx.connection(),
      namespace: pod.metadata.namespace ?? namespace,
      pod: pod.metadata.name ?? '',
      container,
      subresource: 'exec',
      command,
      stdinWanted: boolFlag(flags, 'stdin'),
      ttyWanted: boolFlag(flags, 'tty'),
      quiet,
      stdin: ctx.stdin,
      stdout: ctx.stdout,
      stderr: ctx.stderr,
    });
  },
};

export default verb;
