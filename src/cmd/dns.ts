/** `k8ts dns`: the cluster DNS server (cluster.local answers from Services/EndpointSlices, the rest forwarded). */
import { FlagError, parseFlags } from './flags.ts';
import { optionsOrExit, untilSignal } from './lifecycle.ts';

const specs = {
  kubeconfig: { type: 'string', help: 'path to a kubeconfig file for talking to the API server', default: '/var/lib/k8ts/admin.kubeconfig' },
  'bind-address': { type: 'string', help: 'the IP address to serve DNS on (UDP and TCP)', default: '0.0.0.0' },
  port: { type: 'int', help: 'the port to serve DNS on (0: pick a free port)', default: 53 },
  'cluster-domain': { type: 'string', help: 'the cluster domain', default: 'cluster.local' },
  'cluster-dns-ip': { type: 'string', help: 'cluster IP of the kube-dns Service (the 10th address of the service range)', default: '10.96.0.10' },
  'advertise-address': { type: 'string', help: 'the address the kube-dns EndpointSlice points at (default: --bind-address if specific, else the first non-loopback IPv4)' },
  upstream: { type: 'strings', help: 'upstream resolvers for names outside the cluster domain (default: nameservers of /etc/resolv.conf)' },
} as const;

const usageLine = 'Usage: k8ts dns [flags]\n\nServes cluster DNS for Services and pods, watch-driven, forwarding other names upstream.';

/** Parses the flags (undefined for --help); throws FlagError on mistakes. */
export function dnsOptions(argv: readonly string[]) {
  const { flags: f, args, help } = parseFlags(argv, specs);
  if (help) {
    return undefined;
  }
  if (args.length > 0) {
    throw new FlagError(`unexpected argument "${args[0]}"`);
  }
  return {
    kubeconfig: f.kubeconfig ?? '/var/lib/k8ts/admin.kubeconfig',
    bindAddress: f['bind-address'] ?? '0.0.0.0',
    port: f.port ?? 53,
    clusterDomain: f['cluster-domain'] ?? 'cluster.local',
    clusterDnsIp: f['cluster-dns-ip'] ?? '10.96.0.10',
    upstreams: f.upstream ?? [],
    advertiseAddress: f['advertise-address'],
  };
}

/** Entry point: serves until SIGTERM/SIGINT. */
export async function main(argv: string[]): Promise<number> {
  const parsed = await optionsOrExit(() => dnsOptions(argv), usageLine, specs);
  if ('exit' in parsed) {
    return parsed.exit;
  }
  const opts = parsed.options;
  const { runClusterDns } = await import('../dns/run.ts');
  const dns = await runClusterDns(opts);
  process.stderr.write(`dns: serving ${opts.clusterDomain} on ${opts.bindAddress}:${dns.port} (udp, tcp)\n`);
  await untilSignal('dns');
  await dns.close();
  return 0;
}
