/** `kubectl attach (POD | TYPE/NAME) -c CONTAINER [-i] [-t]`: joins a running container's console over the v5 stream protocol. */
import { CliError } from '../command.ts';
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { boolFlag, numberFlag, stringFlag } from '../polymorphic/flagvalues.ts';
import { findContainer, findOrDefaultContainer, podForArgument } from '../polymorphic/pods.ts';
import { runPodSession } from '../streams/session.ts';

const verb: Verb = {
  use: 'attach (POD | TYPE/NAME) -c CONTAINER',
  short: 'Attach to a running container',
  long: 'Attach to a process that is already running inside an existing container.',
  example: `  # Get output from running pod mypod; use the 'kubectl.kubernetes.io/default-container' annotation
  # for selecting the container to be attached or the first container in the pod will be chosen
  kubectl attach mypod
  
  # Get output from ruby-container from pod mypod
  kubectl attach mypod -c ruby-container
  
  # Switch to raw terminal mode; sends stdin to 'bash' in ruby-container from pod mypod
  # and sends stdout/stderr from 'bash' back to the client
  kubectl attach mypod -c ruby-container -i -t
  
  # Get output from the first pod of a replica set named nginx
  kubectl attach rs/nginx`,
  flags: [
    { name: 'pod-running-timeout', type: 'duration', default: 60_000, usage: 'The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running' },
    { name: 'container', short: 'c', type: 'string', default: '', usage: 'Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen' },
    { name: 'stdin', short: 'i', type: 'bool', default: false, usage: 'Pass stdin to the container' },
    { name: 'tty', short: 't', type: 'bool', default: false, usage: 'Stdin is a TTY' },
    { name: 'quiet', short: 'q', type: 'bool', default: false, usage: 'Only print output from the remote session' },
  ],
  async run(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number> {
    if (args.length === 0) {
      throw new CliError('at least 1 argument is required for attach');
    }
    if (args.length > 2) {
      throw new CliError(`expected POD, TYPE/NAME, or TYPE NAME, (at most 2 arguments) saw ${args.length}: [${args.join(' ')}]`);
    }
    const timeout = numberFlag(flags, 'pod-running-timeout', 60_000);
    if (timeout <= 0) {
      throw new CliError('--pod-running-timeout must be higher than zero');
    }
    const target = args.length === 2 ? `${args[0] ?? ''}/${args[1] ?? ''}` : (args[0] ?? '');
    const { namespace } = await ctx.namespace();
    const client = await ctx.client();
    const { pod } = await podForArgument(client, await ctx.discovery(), namespace, target, timeout);
    const phase = pod.status?.phase ?? '';
    if (phase === 'Succeeded' || phase === 'Failed') {
      throw new CliError(`cannot attach a container in a completed pod; current phase is ${phase}`);
    }
    const quiet = boolFlag(flags, 'quiet');
    let container;
    try {
      container = findOrDefaultContainer(pod, stringFlag(flags, 'container'), quiet, (s) => void ctx.stderr.write(s));
    } catch (e) {
      throw new CliError(`cannot attach to the container: ${(e as Error).message}`);
    }
    let tty = boolFlag(flags, 'tty');
    const spec = findContainer(pod, container.name) as { readonly tty?: boolean } | undefined;
    if (tty && spec?.tty !== true) {
      tty = false;
      if (!quiet) {
        ctx.stderr.write(`error: Unable to use a TTY - container ${container.name} did not allocate one\n`);
      }
    } else if (!tty && spec?.tty === true) {
      // A container started with a TTY has only one output stream; asking for two fails on the node.
      tty = true;
    }
    if (!quiet) {
      ctx.stderr.write('All commands and output from this session will be recorded in container logs, including credentials and sensitive information passed through the command prompt.\n');
      ctx.stderr.write("If you don't see a command prompt, try pressing enter.\n");
    }
    const stdinWanted = boolFlag(flags, 'stdin');
    const podName = pod.metadata.name ?? '';
    const podNamespace = pod.metadata.namespace ?? namespace;
    const code = await runPodSession({
      connection: await ctx.connection(),
      namespace: podNamespace,
      pod: podName,
      container: container.name,
      subresource: 'attach',
      stdinWanted,
      ttyWanted: tty,
      quiet,
      stdin: ctx.stdin,
      stdout: ctx.stdout,
      stderr: ctx.stderr,
    });
    const rawTty = stdinWanted && tty && (ctx.stdin as { isTTY?: boolean }).isTTY === true;
    if (!quiet && stdinWanted && rawTty && code === 0) {
      ctx.stdout.write(`Session ended, resume using 'kubectl attach ${podName} -c ${container.name} -n ${podNamespace} -i -t' command\n`);
    }
    return code;
  },
};

export default verb;
