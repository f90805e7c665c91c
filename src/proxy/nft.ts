/**
 * Host commands the proxy runs: `nft -f -` (one transaction per call), `sysctl`, `ip addr`.
 * With `netns` set every command runs through `ip netns exec <netns>`, so a proxy started in
 * the host namespace can program a scratch namespace (tests, benchmarks) without touching the host.
 */
import { spawn } from 'node:child_process';

/** Thrown when a host command exits non-zero; `stderr` carries nft's message (line and column). */
export class CommandError extends Error {
  readonly command: string;
  readonly code: number | null;
  readonly stderr: string;
  constructor(command: string, code: number | null, stderr: string) {
    super(`${command} exited with ${code ?? 'a signal'}: ${stderr.trim()}`);
    this.command = command;
    this.code = code;
    this.stderr = stderr;
  }
}

/** Runs host networking commands, optionally inside one network namespace. */
export class HostCommands {
  readonly netns: string | undefined;
  constructor(netns?: string) {
    this.netns = netns;
  }

  private argv(cmd: string[]): string[] {
    return this.netns === undefined ? cmd : ['ip', 'netns', 'exec', this.netns, ...cmd];
  }

  /** Runs a command, feeding `stdin`; resolves its stdout, rejects with CommandError on failure. */
  run(cmd: string[], stdin = ''): Promise<string> {
    const argv = this.argv(cmd);
    return new Promise((resolve, reject) => {
      const child = spawn(argv[0] ?? 'false', argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => err.push(d));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) {
          resolve(Buffer.concat(out).toString());
        } else {
          reject(new CommandError(cmd.join(' '), code, Buffer.concat(err).toString()));
        }
      });
      child.stdin.on('error', () => undefined); // an early exit closes the pipe; 'close' reports why
      child.stdin.end(stdin);
    });
  }

  /**
   * Applies one nft script as a single transaction (all or nothing).
   * One `nft -f -` per sync, on purpose (measured with nft 1.0.6, BENCHMARKS.md "Proxy"): the
   * cost of a small transaction against a big table is not the spawn but nft's cache fetch —
   * any `add element`/`add rule`/`delete element` makes it dump every table's chains and sets
   * from the kernel first (~1 MB for the 15,000 chains 5,000 Services took before most Services
   * became map elements, see README.md), while `add table`/`add chain`/`flush chain` fetch nothing. A long-running `nft -i` does not help: it reads stdin byte by byte and
   * refetches the same cache for every line, since each commit moves the ruleset generation.
   * Talking netlink directly would, but there is no well-kept Node library for nf_tables.
   */
  async nftApply(script: string): Promise<void> {
    await this.run(['nft', '-f', '-'], script);
  }

  /** Sets a sysctl (e.g. net.ipv4.conf.all.route_localnet=1). */
  async sysctl(key: string, value: string): Promise<void> {
    await this.run(['sysctl', '-qw', `${key}=${value}`]);
  }

  /** The IPv4 addresses configured on this host (namespace), loopback included. */
  async ipv4Addresses(): Promise<string[]> {
    const out = await this.run(['ip', '-j', '-4', 'addr', 'show']);
    const links = JSON.parse(out) as { addr_info?: { family?: string; local?: string }[] }[];
    return links.flatMap((l) => (l.addr_info ?? []).filter((a) => a.family === 'inet' && a.local !== undefined).map((a) => a.local ?? ''));
  }
}

/** An IPv4 address as an unsigned 32-bit number (no validation: callers pass addresses they checked). */
export function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  return (((p[0] ?? 0) << 24) | ((p[1] ?? 0) << 16) | ((p[2] ?? 0) << 8) | (p[3] ?? 0)) >>> 0;
}

/** True if IPv4 `ip` lies inside `cidr` (a bare address counts as /32). */
export function cidrContains(cidr: string, ip: string): boolean {
  const [base = '', bitsText] = cidr.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (base.includes(':') || ip.includes(':') || !(bits >= 0 && bits <= 32)) {
    return false;
  }
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((ipToInt(base) & mask) >>> 0) === ((ipToInt(ip) & mask) >>> 0);
}
