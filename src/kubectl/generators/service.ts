/** `kubectl create service clusterip|nodeport|loadbalancer|externalname`. */
import { CliError } from '../command.ts';
import type { Generator, JsonObject } from './types.ts';
import { num, objectMeta, slice, str } from './types.ts';

const ServiceType = { ClusterIP: 'ClusterIP', NodePort: 'NodePort', LoadBalancer: 'LoadBalancer', ExternalName: 'ExternalName' } as const;
type ServiceType = (typeof ServiceType)[keyof typeof ServiceType];

function parsePort(s: string): number {
  const n = /^[0-9]+$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    if (/^[0-9]+$/.test(s)) {
      throw new CliError(`port "${s}" out of range`);
    }
    throw new CliError(`strconv.ParseUint: parsing "${s}": invalid syntax`);
  }
  return n;
}

/** `port[:targetPort]` → ServicePort in Go field order (name, protocol, port, targetPort, nodePort). */
function servicePort(spec: string, nodePort: number): JsonObject {
  const parts = spec.split(':');
  const port = parsePort(parts[0] ?? '');
  let target: number | string = port;
  if (parts.length > 1) {
    const t = parts[1] ?? '';
    if (/^-?[0-9]+$/.test(t)) {
      target = Number(t);
      if (target < 1 || target > 65535) {
        throw new CliError('must be between 1 and 65535, inclusive');
      }
    } else {
      target = t;
    }
  }
  const p: JsonObject = { name: spec.replaceAll(':', '-'), protocol: 'TCP', port, targetPort: target };
  if (nodePort !== 0) {
    p.nodePort = nodePort;
  }
  return p;
}

function serviceGenerator(type: ServiceType, name: string, use: string, short: string): Generator {
  const flags: Generator['flags'] = [
    { name: 'tcp', type: 'stringArray', usage: "Port pairs can be specified as '<port>:<targetPort>'." },
    ...(type === ServiceType.ClusterIP ? [{ name: 'clusterip', type: 'string', usage: "Assign your own ClusterIP or set to 'None' for a 'headless' service (no loadbalancing)." } as const] : []),
    ...(type === ServiceType.NodePort ? [{ name: 'node-port', type: 'int', default: 0, usage: 'Port used to expose the service on each node in a cluster.' } as const] : []),
    ...(type === ServiceType.ExternalName ? [{ name: 'external-name', type: 'string', usage: 'External name of service' } as const] : []),
  ];
  return {
    name,
    aliases: [],
    use,
    short,
    flags,
    required: type === ServiceType.ExternalName ? ['external-name'] : [],
    target: { group: '', version: 'v1', resource: 'services', namespaced: true },
    errorNoun: `${type} service`,
    generate(input) {
      const clusterIP = type === ServiceType.ClusterIP ? str(input.flags, 'clusterip') : '';
      const tcp = slice(input.flags, 'tcp');
      const externalName = type === ServiceType.ExternalName ? str(input.flags, 'external-name') : '';
      if (clusterIP !== 'None' && tcp.length === 0 && type !== ServiceType.ExternalName) {
        throw new CliError('at least one tcp port specifier must be provided');
      }
      if (type === ServiceType.ExternalName && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(externalName)) {
        throw new CliError(`invalid service external name ${externalName}`);
      }
      const nodePort = type === ServiceType.NodePort ? num(input.flags, 'node-port', 0) : 0;
      const ports = tcp.map((t) => servicePort(t, nodePort));
      const spec: JsonObject = {};
      if (ports.length > 0) {
        spec.ports = ports;
      }
      spec.selector = { app: input.name };
      if (clusterIP !== '') {
        spec.clusterIP = clusterIP;
      }
      spec.type = type;
      if (externalName !== '') {
        spec.externalName = externalName;
      }
      return Promise.resolve({
        kind: 'Service',
        apiVersion: 'v1',
        metadata: objectMeta(input.name, input.enforcedNamespace, { app: input.name }),
        spec,
        status: { loadBalancer: {} },
      });
    },
  };
}

/** The four `create service` sub-commands, by name. */
export const serviceGenerators: readonly Generator[] = [
  serviceGenerator(ServiceType.ClusterIP, 'clusterip', 'clusterip NAME [--tcp=<port>:<targetPort>] [--dry-run=server|client|none]', 'Create a ClusterIP service'),
  serviceGenerator(ServiceType.NodePort, 'nodeport', 'nodeport NAME [--tcp=port:targetPort] [--dry-run=server|client|none]', 'Create a NodePort service'),
  serviceGenerator(ServiceType.LoadBalancer, 'loadbalancer', 'loadbalancer NAME [--tcp=port:targetPort] [--dry-run=server|client|none]', 'Create a LoadBalancer service'),
  serviceGenerator(ServiceType.ExternalName, 'externalname', 'externalname NAME --external-name external.name [--dry-run=server|client|none]', 'Create an ExternalName service'),
];
