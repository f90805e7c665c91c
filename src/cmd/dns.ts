/** `k8ts dns`: the cluster DNS server (cluster.local answers from Services/EndpointSlices, the rest forwarded). */
import { FlagError, formatUsage, parseFlags } from './flags.ts';

const specs = {
  kubeconfig: { type: 'string', help: 'path to a kubeconfig file for talking to the API server', default: '/var/lib/k8ts/admin.kubeconfig' },
  'bind-address': { type: 'string', help: 'the IP address to serve DNS on (UDP and TCP)', default: '0.0.0.0' },
  port: { type: 'int', help: 'the port to serve DNS on (0: pick a free port)', default: 53 },
  'cluster-domain': { type: 'string', help: 'the cluster domain', default: 'cluster.local' },
  'cluster-dns-ip': { type: 'string', help: 'cluster IP of the kube-dns Service (the 10th address of the service range)', default: '10.96.0.10' },
  upstream: { type: 'strings', help: 'upstream resolvers for names outside the cluster domain (default: nameservers of /etc/resolv.conf)' },
} as const;

const usageLine = 'Usage: k8ts dns [flags]\n\nServes cluster DNS for Services and pods, watch-driven, forwarding other names upstream.';

/** Entry point: serves until SIGTERM/SIGINT. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags(argv, specs);
    if (parsed.args.length > 0) {
      throw new FlagError(`unexpected argument "${parsed.args[0]}"`);
    }
  } catch (e) {
    if (e instanceof FlagError) {
      process.stderr.write(`Error: ${e.message}\n\n${formatUsage(usageLine, specs)}`);
      return 1;
    }
    throw e;
  }
  if (parsed.help) {
    process.stdout.write(formatUsage(usageLine, specs));
    return 0;
  }
  const f = parsed.flags;
  const { runClusterDns } = await import('../dns/run.ts');
  const dns = await runClusterDns({
    kubeconfig: f.kubeconfig ?? '/var/lib/k8ts/admin.kubeconfig',
    bindAddress: f['bind-address'] ?? '0.0.0.0',
    port: f.port ?? 53,
    clusterDomain: f['cluster-domain'] ?? 'cluster.local',
    clusterDnsIp: f['cluster-dns-ip'] ?? '10.96.0.10',
    upstreams: f.upstream ?? [],
  });
  process.stderr.write(`dns: serving ${f['cluster-domain'] ?? 'cluster.local'} on ${f['bind-address'] ?? '0.0.0.0'}:${dns.port} (udp, tcp)\n`);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  await dns.close();
  return 0;
}
