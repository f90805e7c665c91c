/** `kubectl port-forward TYPE/NAME [LOCAL_PORT:]REMOTE_PORT...`: forwards local ports to a pod (or the pod behind a workload or service) until interrupted. */
import type { KubeObject } from '../../api/object.ts';
import { CliError } from '../command.ts';
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { arrayFlag, numberFlag, usageError } from '../polymorphic/flagvalues.ts';
import { podForArgument, splitTypeName } from '../polymorphic/pods.ts';
import type { PodLike } from '../polymorphic/pods.ts';
import { forwardPorts, parseAddresses, parsePorts } from '../streams/portforward.ts';

interface PortSpec {
  readonly name?: string;
  readonly containerPort?: number;
  readonly port?: number;
  readonly targetPort?: number | string;
  readonly protocol?: string;
}
interface ServiceLike extends KubeObject {
  readonly spec?: { readonly clusterIP?: string; readonly ports?: readonly PortSpec[] };
}
interface PodWithPorts extends PodLike {
  readonly spec?: PodLike['spec'] & { readonly containers?: readonly { readonly ports?: readonly PortSpec[] }[] };
}

/** `[LOCAL:]REMOTE` → both halves (one value stands for both). */
function splitPort(spec: string): { local: string; remote: string } {
  const parts = spec.split(':');
  return parts.length === 2 ? { local: parts[0], remote: parts[1] } : { local: parts[0], remote: parts[0] };
}

function isNumber(s: string): boolean {
  return /^[+-]?\d+$/.test(s);
}

function containerPorts(pod: PodWithPorts): PortSpec[] {
  return (pod.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
}

function containerPortByName(pod: PodWithPorts, name: string): number {
  const found = containerPorts(pod).find((p) => p.name === name);
  if (found?.containerPort === undefined) {
    throw new CliError(`Pod '${pod.metadata.name ?? ''}' does not have a named port '${name}'`);
  }
  return found.containerPort;
}

function servicePortByName(svc: ServiceLike, name: string): number {
  const found = (svc.spec?.ports ?? []).find((p) => p.name === name);
  if (found?.port === undefined) {
    throw new CliError(`Service '${svc.metadata.name ?? ''}' does not have a named port '${name}'`);
  }
  return found.port;
}

/** Ports only reachable over UDP cannot be forwarded (upstream's checkUDPPorts). */
function checkUdp(specs: readonly string[], ports: readonly PortSpec[], portOf: (p: PortSpec) => number | undefined, byName: (name: string) => number): void {
  const udp = new Set<number>();
  const tcp = new Set<number>();
  for (const p of ports) {
    const n = portOf(p);
    if (n !== undefined) {
      ((p.protocol ?? 'TCP') === 'UDP' ? udp : (p.protocol ?? 'TCP') === 'TCP' ? tcp : new Set<number>()).add(n);
    }
  }
  for (const spec of specs) {
    const { remote } = splitPort(spec);
    const n = isNumber(remote) ? Number(remote) : byName(remote);
    if (udp.has(n) && !tcp.has(n)) {
      throw new CliError(`UDP protocol is not supported for ${remote}`);
    }
  }
}

/** Service port → the pod's port behind it (upstream's translateServicePortToTargetPort). */
function translateServicePorts(specs: readonly string[], svc: ServiceLike, pod: PodWithPorts): string[] {
  return specs.map((spec) => {
    let { local, remote } = splitPort(spec);
    let portNumber: number;
    if (isNumber(remote)) {
      portNumber = Number(remote);
    } else {
      portNumber = servicePortByName(svc, remote);
      if (local === remote) {
        local = String(portNumber);
      }
    }
    let target = portNumber;
    if (svc.spec?.clusterIP !== 'None') {
      const sp = (svc.spec?.ports ?? []).find((p) => p.port === portNumber);
      if (sp === undefined) {
        throw new CliError(`Service ${svc.metadata.name ?? ''} does not have a service port ${portNumber}`);
      }
      const tp = sp.targetPort;
      if (typeof tp === 'string' && !isNumber(tp)) {
        target = containerPortByName(pod, tp);
      } else if (tp !== undefined && Number(tp) !== 0) {
        target = Number(tp);
      }
    }
    remote = String(target);
    return local !== remote ? `${local}:${remote}` : remote;
  });
}

/** Named pod ports → numbers (upstream's convertPodNamedPortToNumber). */
function convertNamedPorts(specs: readonly string[], pod: PodWithPorts): string[] {
  return specs.map((spec) => {
    const { local, remote } = splitPort(spec);
    if (remote === '') {
      throw new CliError('remote port cannot be empty');
    }
    const number = isNumber(remote) ? remote : String(containerPortByName(pod, remote));
    return local !== remote ? `${local}:${number}` : number;
  });
}

const verb: Verb = {
  use: 'port-forward TYPE/NAME [options] [LOCAL_PORT:]REMOTE_PORT [...[LOCAL_PORT_N:]REMOTE_PORT_N]',
  short: 'Forward one or more local ports to a pod',
  long: `Forward one or more local ports to a pod.

 Use resource type/name such as deployment/mydeployment to select a pod. Resource type defaults to 'pod' if omitted.

 If there are multiple pods matching the criteria, a pod will be selected automatically. The forwarding session ends when the selected pod terminates, and a rerun of the command is needed to resume forwarding.`,
  example: `  # Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in the pod
  kubectl port-forward pod/mypod 5000 6000
  
  # Listen on ports 5000 and 6000 locally, forwarding data to/from ports 5000 and 6000 in a pod selected by the deployment
  kubectl port-forward deployment/mydeployment 5000 6000
  
  # Listen on port 8443 locally, forwarding to the targetPort of the service's port named "https" in a pod selected by the service
  kubectl port-forward service/myservice 8443:https
  
  # Listen on port 8888 locally, forwarding to 5000 in the pod
  kubectl port-forward pod/mypod 8888:5000
  
  # Listen on port 8888 on all addresses, forwarding to 5000 in the pod
  kubectl port-forward --address 0.0.0.0 pod/mypod 8888:5000
  
  # Listen on port 8888 on localhost and selected IP, forwarding to 5000 in the pod
  kubectl port-forward --address localhost,10.19.21.23 pod/mypod 8888:5000
  
  # Listen on a random port locally, forwarding to 5000 in the pod
  kubectl port-forward pod/mypod :5000`,
  flags: [
    { name: 'address', type: 'stringSlice', default: ['localhost'], usage: 'Addresses to listen on (comma separated). Only accepts IP addresses or localhost as a value. When localhost is supplied, kubectl will try to bind on both 127.0.0.1 and ::1 and will fail if neither of these addresses are available to bind.' },
    { name: 'pod-running-timeout', type: 'duration', default: 60_000, usage: 'The length of time (like 5s, 2m, or 3h, higher than zero) to wait until at least one pod is running' },
  ],
  async run(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number> {
    if (args.length < 2) {
      throw usageError('kubectl port-forward', 'TYPE/NAME and list of ports are required for port-forward');
    }
    const timeout = numberFlag(flags, 'pod-running-timeout', 60_000);
    if (timeout <= 0) {
      throw usageError('kubectl port-forward', '--pod-running-timeout must be higher than zero');
    }
    const { namespace } = await ctx.namespace();
    const client = await ctx.client();
    const discovery = await ctx.discovery();
    const picked = await podForArgument(client, discovery, namespace, args[0] ?? '', timeout);
    const pod = picked.pod as PodWithPorts;
    const specs = args.slice(1);
    const { type, name } = splitTypeName(args[0] ?? '');
    const mapping = picked.direct ? undefined : await discovery.resolve(type);
    let ports: string[];
    if (mapping !== undefined && mapping.group === '' && mapping.kind === 'Service') {
      const svc = await client.get<ServiceLike>({ group: '', version: mapping.version, resource: mapping.resource, namespace, name });
      checkUdp(specs, svc.spec?.ports ?? [], (p) => p.port, (n) => servicePortByName(svc, n));
      ports = translateServicePorts(specs, svc, pod);
    } else {
      checkUdp(specs, containerPorts(pod), (p) => p.containerPort, (n) => containerPortByName(pod, n));
      ports = convertNamedPorts(specs, pod);
    }
    const podName = pod.metadata.name ?? '';
    let addresses;
    let forwarded;
    try {
      addresses = parseAddresses(arrayFlag(flags, 'address').flatMap((a) => a.split(',')));
      forwarded = parsePorts(ports);
    } catch (e) {
      throw new CliError((e as Error).message);
    }
    // Upstream looks the pod up once more right before forwarding and insists that it runs.
    const current = await client.get<PodLike>({ group: '', version: 'v1', resource: 'pods', namespace, name: podName });
    const phase = current.status?.phase ?? '';
    if (phase !== 'Running') {
      throw new CliError(`unable to forward port because pod is not running. Current status=${phase}`);
    }
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    process.once('SIGINT', stop);
    try {
      await forwardPorts({
        connection: await ctx.connection(),
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(podName)}/portforward`,
        addresses,
        ports: forwarded,
        stdout: ctx.stdout,
        stderr: ctx.stderr,
        stop: stopped,
      });
    } catch (e) {
      throw new CliError((e as Error).message);
    } finally {
      process.off('SIGINT', stop);
    }
    return 0;
  },
};

export default verb;
