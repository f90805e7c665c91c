/**
 * `kubectl logs (POD | TYPE/NAME) [CONTAINER]` and `kubectl logs -l SELECTOR`: one `pods/log`
 * request per (pod, container), streamed to stdout — sequentially, or side by side with `-f`
 * over several sources — with upstream's defaulting, prefixes and messages.
 */
import type { Writable } from 'node:stream';
import { StatusError } from '../../api/errors.ts';
import type { RestClient } from '../../client/rest.ts';
import type { QueryParams } from '../../client/paths.ts';
import { CliError } from '../command.ts';
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { boolFlag, flagChanged, numberFlag, stringFlag, usageError } from '../polymorphic/flagvalues.ts';
import { allContainerNames, DEFAULT_CONTAINER_ANNOTATION, findContainer, podForArgument } from '../polymorphic/pods.ts';
import type { PodLike } from '../polymorphic/pods.ts';

const usageText = "expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or TYPE/NAME is a required argument for the logs command";

/** One log stream to read: which pod and container. */
interface LogSource {
  readonly pod: PodLike;
  readonly container: string;
}

/** The (pod, container) pairs for one pod, as upstream's logsForObject: all containers, -c, the annotated default or the first. */
export function sourcesForPod(pod: PodLike, container: string, allContainers: boolean, quietDefault: boolean, warn: (s: string) => void): LogSource[] {
  const name = pod.metadata.name ?? '';
  if (allContainers) {
    const s = pod.spec;
    return [...(s?.initContainers ?? []), ...(s?.containers ?? []), ...(s?.ephemeralContainers ?? [])].map((c) => ({ pod, container: c.name }));
  }
  let chosen = container;
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION] ?? '';
  if (chosen === '' && annotated !== '') {
    if (findContainer(pod, annotated) === undefined) {
      warn(`Default container name "${annotated}" not found in pod ${name}\n`);
    } else {
      chosen = annotated;
    }
  }
  if (chosen === '') {
    const s = pod.spec;
    chosen = s?.containers?.[0]?.name ?? '';
    if (!quietDefault && ((s?.containers?.length ?? 0) > 1 || (s?.initContainers?.length ?? 0) > 0 || (s?.ephemeralContainers?.length ?? 0) > 0)) {
      warn(`Defaulted container "${chosen}" out of: ${allContainerNames(pod)}\n`);
    }
  }
  if (findContainer(pod, chosen) === undefined) {
    throw new CliError(`container ${chosen} is not valid for pod ${name}`);
  }
  return [{ pod, container: chosen }];
}

/** The `pods/log` query for the flags (`--tail` defaults to 10 with a selector, as upstream). */
export function logQuery(flags: FlagValues, container: string, selector: boolean, tailSpecified: boolean): QueryParams {
  const since = numberFlag(flags, 'since', 0);
  const tail = numberFlag(flags, 'tail', -1);
  const limit = numberFlag(flags, 'limit-bytes', 0);
  const sinceTime = stringFlag(flags, 'since-time');
  return {
    container,
    follow: boolFlag(flags, 'follow') ? 'true' : undefined,
    previous: boolFlag(flags, 'previous') ? 'true' : undefined,
    timestamps: boolFlag(flags, 'timestamps') ? 'true' : undefined,
    sinceSeconds: since !== 0 ? Math.round(since / 1000) : undefined,
    sinceTime: sinceTime !== '' ? sinceTime : undefined,
    tailLines: selector && tail === -1 && !tailSpecified ? 10 : tail !== -1 ? tail : undefined,
    limitBytes: limit !== 0 ? limit : undefined,
    insecureSkipTLSVerifyBackend: boolFlag(flags, 'insecure-skip-tls-verify-backend') ? 'true' : undefined,
  };
}

function write(out: Writable, data: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (out.write(data)) {
      resolve();
    } else {
      out.once('drain', resolve);
    }
  });
}

/** Streams one source to `out`, line by line with `prefix` when given. */
async function consume(client: RestClient, src: LogSource, query: QueryParams, out: Writable, prefix: string | undefined): Promise<void> {
  const res = await client.stream({
    method: 'GET',
    path: `/api/v1/namespaces/${encodeURIComponent(src.pod.metadata.namespace ?? '')}/pods/${encodeURIComponent(src.pod.metadata.name ?? '')}/log`,
    query: { ...query, container: src.container },
  });
  let pending = '';
  for await (const chunk of res) {
    const text = pending + (chunk as Buffer).toString('utf8');
    if (prefix === undefined) {
      pending = '';
      await write(out, text);
      continue;
    }
    const lines = text.split('\n');
    pending = lines.pop() ?? '';
    if (lines.length > 0) {
      await write(out, lines.map((l) => `${prefix}${l}\n`).join(''));
    }
  }
  if (pending !== '') {
    await write(out, prefix === undefined ? pending : `${prefix}${pending}`);
  }
}

const verb: Verb = {
  use: 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]',
  short: 'Print the logs for a container in a pod',
  flags: [
    { name: 'all-pods', type: 'bool', default: false, usage: 'Get logs from all pod(s). Sets prefix to true.' },
    { name: 'all-containers', type: 'bool', default: false, usage: "Get all containers' logs in the pod(s)." },
    { name: 'follow', short: 'f', type: 'bool', default: false, usage: 'Specify if the logs should be streamed.' },
    { name: 'timestamps', type: 'bool', default: false, usage: 'Include timestamps on each line in the log output' },
    { name: 'limit-bytes', type: 'int', default: 0, usage: 'Maximum bytes of logs to return. Defaults to no limit.' },
    { name: 'previous', short: 'p', type: 'bool', default: false, usage: 'If true, print the logs for the previous instance of the container in a pod if it exists.' },
    { name: 'tail', type: 'int', default: -1, usage: 'Lines of recent log file to display. Defaults to -1 with no selector, showing all log lines otherwise 10, if a selector is provided.' },
    { name: 'ignore-errors', type: 'bool', default: false, usage: 'If watching / following pod logs, allow for any errors that occur to be non-fatal' },
    { name: 'since-time', type: 'string', default: '', usage: 'Only return logs after a specific date (RFC3339). Defaults to all logs. Only one of since-time / since may be used.' },
    { name: 'since', type: 'duration', default: 0, usage: 'Only return logs newer than a relative duration like 5s, 2m, or 3h. Defaults to all logs. Only one of since-time / since may be used.' },
    { name: 'container', short: 'c', type: 'string', default: '', usage: 'Print the logs of this container' },
    { name: 'insecure-skip-tls-verify-backend', type: 'bool', default: false, usage: 'Skip verifying the identity of the kubelet that logs are requested from.  In theory, an attacker could provide invalid log content back. You might want to use this if your kubelet serving certificates have expired.' },
    { name: 'pod-running-timeout', type: 'duration', default: 20_000, usage: 'The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running' },
    { name: 'selector', short: 'l', type: 'string', default: '', usage: "Selector (label query) to filter on, supports '=', '==', '!=', 'in', 'notin'.(e.g. -l key1=value1,key2=value2,key3 in (value3)). Matching objects must satisfy all of the specified label constraints." },
    { name: 'max-log-requests', type: 'int', default: 5, usage: 'Specify maximum number of concurrent logs to follow when using by a selector. Defaults to 5.' },
    { name: 'prefix', type: 'bool', default: false, usage: 'Prefix each log line with the log source (pod name and container name)' },
  ],
  async run(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number> {
    const selector = stringFlag(flags, 'selector');
    let container = stringFlag(flags, 'container');
    const containerFlagSet = flagChanged(ctx, 'container');
    if (args.length === 0 && selector === '') {
      throw usageError('kubectl logs', usageText);
    }
    if (args.length === 1 && selector !== '') {
      throw usageError('kubectl logs', 'only a selector (-l) or a POD name is allowed');
    }
    if (args.length > 2) {
      throw usageError('kubectl logs', usageText);
    }
    if (args.length === 2) {
      if (containerFlagSet) {
        throw new CliError('only one of -c or an inline [CONTAINER] arg is allowed');
      }
      container = args[1] ?? '';
    }
    const allPods = boolFlag(flags, 'all-pods');
    const prefixWanted = boolFlag(flags, 'prefix') || allPods;
    const allContainers = boolFlag(flags, 'all-containers');
    const follow = boolFlag(flags, 'follow');
    const tailSpecified = flagChanged(ctx, 'tail');
    const { namespace } = await ctx.namespace();
    const client = await ctx.client();
    if (stringFlag(flags, 'since-time') !== '' && numberFlag(flags, 'since', 0) !== 0) {
      throw new CliError('at most one of `sinceTime` or `sinceSeconds` may be specified');
    }
    if (allContainers && container !== '') {
      throw new CliError(`--all-containers=true should not be specified with container name ${container}`);
    }
    if (numberFlag(flags, 'limit-bytes', 0) < 0) {
      throw new CliError('--limit-bytes must be greater than 0');
    }
    if (numberFlag(flags, 'since', 0) < 0) {
      throw new CliError('--since must be greater than 0');
    }
    if (numberFlag(flags, 'tail', -1) < -1) {
      throw new CliError('--tail must be greater than or equal to -1');
    }
    const warn = (s: string): void => void ctx.stderr.write(s);
    const timeout = numberFlag(flags, 'pod-running-timeout', 20_000);
    let pods: PodLike[];
    if (selector !== '') {
      const list = await client.list<PodLike>({ group: '', version: 'v1', resource: 'pods', namespace }, { labelSelector: selector });
      pods = [...list.items];
      if (pods.length === 0) {
        ctx.stderr.write(`No resources found in ${namespace} namespace.\n`);
      }
    } else {
      const arg = args[0] ?? '';
      let picked;
      try {
        picked = await podForArgument(client, await ctx.discovery(), namespace, arg, timeout);
      } catch (e) {
        if (e instanceof StatusError && e.code === 404) {
          throw new CliError(`error from server (NotFound): ${e.message} in namespace "${namespace}"`);
        }
        throw e;
      }
      pods = [picked.pod];
      if (picked.matched > 1 && !allPods) {
        warn(`Found ${picked.matched} pods, using pod/${picked.pod.metadata.name ?? ''}\n`);
      }
      if (picked.matched > 1 && allPods) {
        const list = await client.list<PodLike>({ group: '', version: 'v1', resource: 'pods', namespace }, { labelSelector: picked.selector });
        pods = [...list.items];
      }
    }
    const sources = pods.flatMap((p) => sourcesForPod(p, container, allContainers, allPods, warn));
    if (follow && sources.length > 1 && sources.length > numberFlag(flags, 'max-log-requests', 5)) {
      throw new CliError(`you are attempting to follow ${sources.length} log streams, but maximum allowed concurrency is ${numberFlag(flags, 'max-log-requests', 5)}, use --max-log-requests to increase the limit`);
    }
    const query = logQuery(flags, container, selector !== '', tailSpecified);
    const prefixOf = (s: LogSource): string | undefined => (prefixWanted ? `[pod/${s.pod.metadata.name ?? ''}/${s.container}] ` : undefined);
    const ignoreErrors = boolFlag(flags, 'ignore-errors');
    const one = async (s: LogSource): Promise<void> => {
      try {
        await consume(client, s, query, ctx.stdout, prefixOf(s));
      } catch (e) {
        if (!ignoreErrors) {
          throw e;
        }
        ctx.stdout.write(`error: ${(e as Error).message}\n`);
      }
    };
    if (follow && sources.length > 1) {
      await Promise.all(sources.map(one));
    } else {
      for (const s of sources) {
        await one(s);
      }
    }
    return 0;
  },
};

export default verb;
