/** `kubectl cluster-info`: where the control plane runs, and the kube-system services labelled kubernetes.io/cluster-service=true. */
import { CliError } from '../command.ts';
import type { Verb } from '../command.ts';
import { clusterInfoHelp } from '../cli/helptext.ts';

interface ServiceList {
  items?: { metadata?: { name?: string; labels?: Record<string, string> }; spec?: { ports?: { name?: string; port?: number }[] } }[];
}

const verb: Verb = {
  use: clusterInfoHelp.use,
  flagsInUseLine: true,
  short: 'Display cluster information',
  long: clusterInfoHelp.long,
  example: clusterInfoHelp.example,
  flags: clusterInfoHelp.flags,
  async run(ctx, args) {
    if (args.length > 0 && args[0] === 'dump') {
      throw new CliError('cluster-info dump is not supported by k8ts kubectl');
    }
    const client = await ctx.client();
    const server = client.connection.server.replace(/\/+$/, '');
    const services = await client.request<ServiceList>({ method: 'GET', path: '/api/v1/namespaces/kube-system/services', query: { labelSelector: 'kubernetes.io/cluster-service=true' } });
    let out = `Kubernetes control plane is running at ${server}\n`;
    for (const s of services.items ?? []) {
      const name = s.metadata?.labels?.['kubernetes.io/name'] ?? s.metadata?.name ?? '';
      const port = s.spec?.ports?.[0];
      const portPart = port?.name !== undefined && port.name !== '' ? `${s.metadata?.name ?? ''}:${port.name}` : `${s.metadata?.name ?? ''}`;
      out += `${name} is running at ${server}/api/v1/namespaces/kube-system/services/${portPart}/proxy\n`;
    }
    out += "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n";
    ctx.stdout.write(out);
    return 0;
  },
};

export default verb;
