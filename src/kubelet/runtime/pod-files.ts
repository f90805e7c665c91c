/**
 * The per-sandbox files every container of a pod shares: /etc/hostname, /etc/hosts (with the
 * pod IP and hostAliases, as the kubelet writes them) and /etc/resolv.conf (the pod's DNS
 * config, or the node's file).
 */
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DnsConfig } from './types.ts';

/** Writes hostname, hosts and resolv.conf into `dir`; returns container path → host path. */
export async function writePodFiles(
  dir: string, hostname: string, podIp: string, dns: DnsConfig | undefined, aliases: readonly { ip: string; hostnames: readonly string[] }[] = [],
): Promise<Record<string, string>> {
  await writeFile(join(dir, 'hostname'), `${hostname}\n`);
  let hosts = '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n';
  if (podIp !== '') {
    hosts += `${podIp}\t${hostname}\n`;
  }
  if (aliases.length > 0) {
    hosts += '\n# Entries added by HostAliases.\n';
    for (const a of aliases) {
      hosts += `${a.ip}\t${a.hostnames.join('\t')}\n`;
    }
  }
  await writeFile(join(dir, 'hosts'), hosts);
  const resolv = join(dir, 'resolv.conf');
  if (dns !== undefined && ((dns.servers?.length ?? 0) > 0 || (dns.searches?.length ?? 0) > 0 || (dns.options?.length ?? 0) > 0)) {
    let text = '';
    if ((dns.searches?.length ?? 0) > 0) {
      text += `search ${dns.searches?.join(' ')}\n`;
    }
    for (const s of dns.servers ?? []) {
      text += `nameserver ${s}\n`;
    }
    if ((dns.options?.length ?? 0) > 0) {
      text += `options ${dns.options?.join(' ')}\n`;
    }
    await writeFile(resolv, text);
  } else {
    await copyFile('/etc/resolv.conf', resolv).catch(() => writeFile(resolv, ''));
  }
  return { '/etc/hostname': join(dir, 'hostname'), '/etc/hosts': join(dir, 'hosts'), '/etc/resolv.conf': resolv };
}
