/**
 * Host-gw node routes: every other node's pod CIDR is routed via that node's InternalIP, as
 * flannel's host-gw backend does. Only nodes whose InternalIP is on one of our own subnets get a
 * route (host-gw needs a shared L2). Our routes carry their own routing-protocol number, so a
 * sync (and the cleanup on exit) can tell them from every other route of the host.
 */
import type { HostCommands } from '../proxy/nft.ts';
import { cidrContains } from '../proxy/nft.ts';

/** The `proto` number on every route the agent installs (an otherwise unused rtnetlink protocol). */
export const ROUTE_PROTOCOL = 147;

/** The fields of a Node the route syncer reads. */
export interface RouteNode {
  readonly metadata: { readonly name?: string };
  readonly spec?: { readonly podCIDR?: string; readonly podCIDRs?: readonly string[] };
  readonly status?: { readonly addresses?: readonly { readonly type: string; readonly address: string }[] };
}

/** One route: destination pod CIDR via a node's address. */
export interface NodeRoute {
  readonly dst: string;
  readonly via: string;
}

/** A local IPv4 address with its prefix (for the on-link test). */
export interface LocalAddress {
  readonly ifname: string;
  readonly ip: string;
  readonly prefixLen: number;
}

/** The node's InternalIP (IPv4), if it has one. */
export function internalIPv4(node: RouteNode): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP' && !a.address.includes(':'))?.address;
}

/** The node's IPv4 pod CIDRs (podCIDRs, else podCIDR). */
export function podCidrsV4(node: RouteNode): string[] {
  const all = node.spec?.podCIDRs !== undefined && node.spec.podCIDRs.length > 0 ? node.spec.podCIDRs : node.spec?.podCIDR !== undefined ? [node.spec.podCIDR] : [];
  return all.filter((c) => c !== '' && !c.includes(':'));
}

/** The routes this host should have: other nodes' pod CIDRs via their on-link InternalIP (sorted, deterministic). */
export function desiredRoutes(nodes: Iterable<RouteNode>, self: string, local: readonly LocalAddress[]): NodeRoute[] {
  const mine = new Set(local.map((a) => a.ip));
  const onLink = (ip: string): boolean => local.some((a) => a.prefixLen < 32 && !a.ip.startsWith('127.') && cidrContains(`${a.ip}/${a.prefixLen}`, ip));
  const routes = new Map<string, NodeRoute>();
  for (const n of nodes) {
    const ip = internalIPv4(n);
    // Our own node, a node without an address, or one behind a router: host-gw cannot route to it.
    if (n.metadata.name === self || ip === undefined || mine.has(ip) || !onLink(ip)) {
      continue;
    }
    for (const dst of podCidrsV4(n)) {
      routes.set(dst, { dst, via: ip });
    }
  }
  return [...routes.values()].sort((a, b) => (a.dst < b.dst ? -1 : a.dst > b.dst ? 1 : 0));
}

/** The `ip route` commands that turn `current` into `desired` (replace changed/new, delete stale). */
export function routeCommands(current: readonly NodeRoute[], desired: readonly NodeRoute[]): string[][] {
  const have = new Map(current.map((r) => [r.dst, r.via]));
  const want = new Set(desired.map((r) => r.dst));
  const cmds: string[][] = [];
  for (const r of desired) {
    if (have.get(r.dst) !== r.via) {
      cmds.push(['ip', 'route', 'replace', r.dst, 'via', r.via, 'proto', String(ROUTE_PROTOCOL)]);
    }
  }
  for (const r of current) {
    if (!want.has(r.dst)) {
      cmds.push(['ip', 'route', 'del', r.dst, 'proto', String(ROUTE_PROTOCOL)]);
    }
  }
  return cmds;
}

/** The local IPv4 addresses with prefix lengths (`ip -j -4 addr`). */
export async function localAddresses(commands: HostCommands): Promise<LocalAddress[]> {
  const links = JSON.parse(await commands.run(['ip', '-j', '-4', 'addr', 'show'])) as { ifname?: string; addr_info?: { local?: string; prefixlen?: number }[] }[];
  return links.flatMap((l) => (l.addr_info ?? []).filter((a) => a.local !== undefined).map((a) => ({ ifname: l.ifname ?? '', ip: a.local ?? '', prefixLen: a.prefixlen ?? 32 })));
}

/** The routes the agent installed earlier (those with ROUTE_PROTOCOL). */
export async function installedRoutes(commands: HostCommands): Promise<NodeRoute[]> {
  const rows = JSON.parse(await commands.run(['ip', '-j', '-4', 'route', 'show', 'proto', String(ROUTE_PROTOCOL)])) as { dst?: string; gateway?: string }[];
  return rows.filter((r) => r.dst !== undefined && r.gateway !== undefined).map((r) => ({ dst: r.dst ?? '', via: r.gateway ?? '' }));
}

/** Brings the host's agent routes in line with the Node objects; returns the commands it ran. */
export async function syncRoutes(commands: HostCommands, nodes: Iterable<RouteNode>, self: string): Promise<string[][]> {
  const desired = desiredRoutes(nodes, self, await localAddresses(commands));
  const cmds = routeCommands(await installedRoutes(commands), desired);
  for (const c of cmds) {
    await commands.run(c);
  }
  return cmds;
}

/** Deletes every route the agent installed (on exit; leaves the host as it found it). */
export async function removeRoutes(commands: HostCommands): Promise<void> {
  for (const c of routeCommands(await installedRoutes(commands), [])) {
    await commands.run(c).catch(() => undefined);
  }
}
