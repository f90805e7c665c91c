/** `kubectl expose`: a Service selecting the pods of a deployment, replica set, service or pod. */
import type { Verb } from '../command.ts';
import { CliError } from '../command.ts';
import { ErrorList } from '../cli/errors.ts';
import { DryRun, dryRunFlag, dryRunStrategy, fieldManagerFlag, fieldValidation, printFlags, printObject, validateFlag } from '../mutate/common.ts';
import { filenameFlags } from '../mutate/create-files.ts';
import { emptyResourcesError as emptyError, refOf, resolveTargets } from '../mutate/targets.ts';
import { goJson } from '../printers/gofmt.ts';

type Obj = Record<string, unknown>;


function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

/** The selector upstream's MapBasedSelectorForObject finds. */
function selectorOf(o: Obj): Record<string, string> | undefined {
  const kind = String(o.kind ?? '');
  const spec = obj(o.spec);
  if (kind === 'Pod') {
    return obj(obj(o.metadata).labels) as Record<string, string>;
  }
  if (kind === 'Service' || kind === 'ReplicationController') {
    return obj(spec.selector) as Record<string, string>;
  }
  const sel = obj(spec.selector);
  if (Array.isArray(sel.matchExpressions) && sel.matchExpressions.length > 0) {
    throw new CliError(`couldn't convert expressions - "${JSON.stringify(sel.matchExpressions)}" to map-based selector format`);
  }
  return Object.keys(sel).length > 0 ? (obj(sel.matchLabels) as Record<string, string>) : undefined;
}

/** Container ports (pods and templates) or service ports, as upstream's PortsForObject/ProtocolsForObject. */
function portsOf(o: Obj): { port: number; protocol: string }[] {
  const kind = String(o.kind ?? '');
  const spec = obj(o.spec);
  if (kind === 'Service') {
    return (Array.isArray(spec.ports) ? (spec.ports as Obj[]) : []).map((p) => ({ port: Number(p.port), protocol: String(p.protocol ?? 'TCP') }));
  }
  const podSpec = kind === 'Pod' ? spec : obj(obj(spec.template).spec);
  const containers = Array.isArray(podSpec.containers) ? (podSpec.containers as Obj[]) : [];
  return containers.flatMap((c) => (Array.isArray(c.ports) ? (c.ports as Obj[]) : []).map((p) => ({ port: Number(p.containerPort), protocol: String(p.protocol ?? 'TCP') })));
}

function parseLabels(spec: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) {
      throw new CliError(`invalid label spec: ${part}`);
    }
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

const expose: Verb = {
  use: 'expose (-f FILENAME | TYPE NAME) [--port=port] [--protocol=TCP|UDP|SCTP] [--target-port=number-or-name] [--name=name] [--external-ip=external-ip-of-service] [--type=type]',
  short: 'Take a replication controller, service, deployment or pod and expose it as a new Kubernetes service',
  flags: [
    ...filenameFlags('identifying the resource to expose a service'),
    { name: 'port', type: 'string', usage: 'The port that the service should serve on. Copied from the resource being exposed, if unspecified' },
    { name: 'protocol', type: 'string', usage: 'The network protocol for the service to be created. Default is \'TCP\'.' },
    { name: 'target-port', type: 'string', usage: 'Name or number for the port on the container that the service should direct traffic to. Optional.' },
    { name: 'name', type: 'string', usage: 'The name for the newly created object.' },
    { name: 'type', type: 'string', usage: "Type for this service: ClusterIP, NodePort, LoadBalancer, or ExternalName. Default is 'ClusterIP'." },
    { name: 'labels', short: 'l', type: 'string', usage: 'Labels to apply to the service created by this call.' },
    { name: 'selector', type: 'string', usage: 'A label selector to use for this service. Only equality-based selector requirements are supported. If empty (the default) infer the selector from the replication controller or replica set.)' },
    { name: 'cluster-ip', type: 'string', usage: 'ClusterIP to be assigned to the service. Leave empty to auto-allocate, or set to \'None\' to create a headless service.' },
    { name: 'external-ip', type: 'string', usage: 'Additional external IP address (not managed by Kubernetes) to accept for the service. If this IP is routed to a node, the service can be accessed by this IP in addition to its generated service IP.' },
    { name: 'session-affinity', type: 'string', usage: "If non-empty, set the session affinity for the service to this; legal values: 'None', 'ClientIP'" },
    dryRunFlag,
    validateFlag,
    fieldManagerFlag('kubectl-expose'),
    ...printFlags,
  ],
  async run(ctx, args, flags) {
    const dryRun = dryRunStrategy(flags);
    const validation = fieldValidation(flags);
    const targets = await resolveTargets(ctx, args, flags, { allowSelectorOrAll: false, emptyError });
    const client = await ctx.client();
    const errors: unknown[] = [];
    for (const t of targets) {
      try {
        const live = (await client.get(refOf(t))) as Obj;
        const selectorFlag = str(flags.get('selector'));
        const selector = selectorFlag !== '' ? parseLabels(selectorFlag) : selectorOf(live);
        if (selector === undefined || Object.keys(selector).length === 0) {
          throw new CliError(`couldn't retrieve selectors via --selector flag or introspection: the ${t.mapping.kind} has no selector`);
        }
        const portFlag = str(flags.get('port'));
        const protocolFlag = str(flags.get('protocol'));
        const found = portFlag !== '' ? [{ port: Number(portFlag), protocol: protocolFlag || 'TCP' }] : portsOf(live);
        if (found.length === 0 && str(flags.get('type')) !== 'ExternalName') {
          throw new CliError("couldn't find port via --port flag or introspection");
        }
        const target = str(flags.get('target-port'));
        const ports = found.map((p, i) => {
          const sp: Obj = {};
          if (found.length > 1) {
            sp.name = `port-${i + 1}`;
          }
          sp.protocol = protocolFlag || p.protocol;
          sp.port = p.port;
          sp.targetPort = target === '' ? p.port : /^\d+$/.test(target) ? Number(target) : target;
          return sp;
        });
        const labelsFlag = str(flags.get('labels'));
        const labels = labelsFlag !== '' ? parseLabels(labelsFlag) : (obj(obj(live.metadata).labels) as Record<string, string>);
        const metadata: Obj = { name: str(flags.get('name')) || t.name };
        if (t.mapping.namespaced && (await ctx.namespace()).explicit) {
          metadata.namespace = t.namespace;
        }
        if (Object.keys(labels).length > 0) {
          metadata.labels = labels;
        }
        const spec: Obj = { ports, selector };
        const clusterIP = str(flags.get('cluster-ip'));
        if (clusterIP !== '') {
          spec.clusterIP = clusterIP;
        }
        const type = str(flags.get('type'));
        if (type !== '') {
          spec.type = type;
        }
        const externalIP = str(flags.get('external-ip'));
        if (externalIP !== '') {
          spec.externalIPs = [externalIP];
        }
        const affinity = str(flags.get('session-affinity'));
        if (affinity !== '') {
          spec.sessionAffinity = affinity;
        }
        let service: Obj = { kind: 'Service', apiVersion: 'v1', metadata, spec, status: { loadBalancer: {} } };
        if (dryRun !== DryRun.Client) {
          // upstream posts it through the dynamic client: an unstructured map, keys sorted
          service = (await client.create({ group: '', version: 'v1', resource: 'services', namespace: t.namespace }, goJson(service), {
            fieldManager: str(flags.get('field-manager')) || 'kubectl-expose',
            fieldValidation: validation,
            dryRun: dryRun === DryRun.Server ? 'All' : undefined,
          })) as Obj;
        }
        await printObject(ctx, flags, service, 'exposed', dryRun, true);
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) {
      throw errors.length === 1 ? errors[0] : new ErrorList(errors);
    }
    return 0;
  },
};

export default expose;
