/**
 * `describe node`: conditions, addresses, capacity, system info, the node's lease, its
 * non-terminated pods with their requests/limits as a share of allocatable, and the totals.
 */
import { Quantity, tryParseQuantity } from '../../api/quantity.ts';
import { arr, at, DescribeWriter, map, printAnnotations, printEvents, printLabels, rfc1123z, since, sortedKeys, str } from './writer.ts';
import type { Obj } from './writer.ts';

const rolePrefix = 'node-role.kubernetes.io/';

function roles(node: Obj): string[] {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(map(node, 'metadata', 'labels'))) {
    if (k.startsWith(rolePrefix) && k.length > rolePrefix.length) {
      out.add(k.slice(rolePrefix.length));
    } else if (k === 'kubernetes.io/role' && v !== '') {
      out.add(v);
    }
  }
  return [...out].sort();
}

function taintText(t: Obj): string {
  const key = str(t, 'key');
  const value = str(t, 'value');
  const effect = str(t, 'effect');
  if (effect === '') {
    return value === '' ? key : `${key}=${value}:`;
  }
  return value === '' ? `${key}:${effect}` : `${key}=${value}:${effect}`;
}

type Totals = Map<string, Quantity>;

function addTo(totals: Totals, list: Readonly<Record<string, string>>): void {
  for (const [k, v] of Object.entries(list)) {
    const q = tryParseQuantity(v);
    if (q) {
      totals.set(k, (totals.get(k) ?? Quantity.fromInt(0)).add(q));
    }
  }
}

/** resourcehelper.PodRequestsAndLimits, reduced: containers summed, raised to any larger init container, plus overhead. */
function podRequestsAndLimits(pod: Obj): { reqs: Totals; limits: Totals } {
  const reqs: Totals = new Map();
  const limits: Totals = new Map();
  for (const c of arr(pod, 'spec', 'containers')) {
    addTo(reqs, map(c, 'resources', 'requests'));
    addTo(limits, map(c, 'resources', 'limits'));
  }
  for (const c of arr(pod, 'spec', 'initContainers')) {
    for (const [totals, list] of [[reqs, map(c, 'resources', 'requests')], [limits, map(c, 'resources', 'limits')]] as const) {
      for (const [k, v] of Object.entries(list)) {
        const q = tryParseQuantity(v);
        if (q && q.cmp(totals.get(k) ?? Quantity.fromInt(0)) > 0) {
          totals.set(k, q);
        }
      }
    }
  }
  addTo(reqs, map(pod, 'spec', 'overhead'));
  addTo(limits, map(pod, 'spec', 'overhead'));
  return { reqs, limits };
}

function percent(part: Quantity | undefined, whole: Quantity | undefined, milli: boolean): number {
  const w = whole === undefined ? 0 : milli ? whole.milliValue() : whole.value();
  if (w === 0) {
    return part === undefined || (milli ? part.milliValue() : part.value()) === 0 ? 0 : Infinity;
  }
  const p = part === undefined ? 0 : milli ? part.milliValue() : part.value();
  return Math.trunc((p / w) * 100);
}

function share(q: Quantity | undefined, whole: Quantity | undefined, milli: boolean): string {
  const pct = percent(q, whole, milli);
  // Go converts +Inf to int64 as the minimum int64 on amd64.
  return `${(q ?? Quantity.fromInt(0)).toString()} (${Number.isFinite(pct) ? pct : '-9223372036854775808'}%)`;
}

/** `describe node`; `pods` are its non-terminated pods, `lease` its kube-node-lease Lease (or the error text). */
export function describeNode(node: Obj, pods: readonly Obj[], lease: Obj | string, events: readonly Obj[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${str(node, 'metadata', 'name')}\n`);
  const r = roles(node);
  w.write(0, `Roles:\t${r.length > 0 ? r.join(',') : '<none>'}\n`);
  printLabels(w, 'Labels', map(node, 'metadata', 'labels'));
  printAnnotations(w, 'Annotations', map(node, 'metadata', 'annotations'));
  w.write(0, `CreationTimestamp:\t${rfc1123z(str(node, 'metadata', 'creationTimestamp'))}\n`);
  const taints = [...arr(node, 'spec', 'taints')].sort((a, b) => {
    const ka = `${str(a, 'effect')},${str(a, 'key')}`;
    const kb = `${str(b, 'effect')},${str(b, 'key')}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  w.write(0, 'Taints:\t');
  if (taints.length === 0) {
    w.line('<none>');
  }
  taints.forEach((t, i) => w.write(0, `${i !== 0 ? '\t' : ''}${taintText(t)}\n`));
  w.write(0, `Unschedulable:\t${at(node, 'spec', 'unschedulable') === true}\n`);
  if (typeof lease === 'string') {
    w.write(0, `Lease:\tFailed to get lease: ${lease}\n`);
  } else {
    w.write(0, 'Lease:\n');
    w.write(1, `HolderIdentity:\t${str(lease, 'spec', 'holderIdentity') || '<unset>'}\n`);
    w.write(1, `AcquireTime:\t${str(lease, 'spec', 'acquireTime') !== '' ? rfc1123z(str(lease, 'spec', 'acquireTime')) : '<unset>'}\n`);
    w.write(1, `RenewTime:\t${str(lease, 'spec', 'renewTime') !== '' ? rfc1123z(str(lease, 'spec', 'renewTime')) : '<unset>'}\n`);
  }
  const conditions = arr(node, 'status', 'conditions');
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of conditions) {
      w.write(1, `${str(c, 'type')} \t${str(c, 'status')} \t${rfc1123z(str(c, 'lastHeartbeatTime') || '0001-01-01T00:00:00Z')} \t${rfc1123z(str(c, 'lastTransitionTime') || '0001-01-01T00:00:00Z')} \t${str(c, 'reason')} \t${str(c, 'message')}\n`);
    }
  }
  w.write(0, 'Addresses:\n');
  for (const a of arr(node, 'status', 'addresses')) {
    w.write(1, `${str(a, 'type')}:\t${str(a, 'address')}\n`);
  }
  for (const [title, key] of [['Capacity', 'capacity'], ['Allocatable', 'allocatable']] as const) {
    const list = map(node, 'status', key);
    if (Object.keys(list).length > 0) {
      w.write(0, `${title}:\n`);
      for (const k of sortedKeys(list)) {
        w.write(0, `  ${k}:\t${tryParseQuantity(list[k])?.toString() ?? list[k] ?? ''}\n`);
      }
    }
  }
  const info = at(node, 'status', 'nodeInfo');
  w.write(0, 'System Info:\n');
  for (const [label, key] of [['Machine ID', 'machineID'], ['System UUID', 'systemUUID'], ['Boot ID', 'bootID'], ['Kernel Version', 'kernelVersion'], ['OS Image', 'osImage'],
    ['Operating System', 'operatingSystem'], ['Architecture', 'architecture'], ['Container Runtime Version', 'containerRuntimeVersion'], ['Kubelet Version', 'kubeletVersion'],
    ['Kube-Proxy Version', 'kubeProxyVersion']] as const) {
    w.write(0, `  ${label}:\t${str(info, key)}\n`);
  }
  if (str(node, 'spec', 'podCIDR') !== '') {
    w.write(0, `PodCIDR:\t${str(node, 'spec', 'podCIDR')}\n`);
  }
  const cidrs = (at(node, 'spec', 'podCIDRs') as string[] | undefined) ?? [];
  if (cidrs.length > 0) {
    w.write(0, `PodCIDRs:\t${cidrs.join(',')}\n`);
  }
  if (str(node, 'spec', 'providerID') !== '') {
    w.write(0, `ProviderID:\t${str(node, 'spec', 'providerID')}\n`);
  }
  describeNodeResources(w, node, pods, now);
  printEvents(w, events, now);
  return w.toString();
}

function describeNodeResources(w: DescribeWriter, node: Obj, pods: readonly Obj[], now: number): void {
  w.write(0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const allocList = Object.keys(map(node, 'status', 'allocatable')).length > 0 ? map(node, 'status', 'allocatable') : map(node, 'status', 'capacity');
  const alloc = (k: string): Quantity | undefined => tryParseQuantity(allocList[k] ?? '0');
  const totalReqs: Totals = new Map();
  const totalLimits: Totals = new Map();
  for (const pod of pods) {
    const { reqs, limits } = podRequestsAndLimits(pod);
    for (const [k, v] of reqs) {
      totalReqs.set(k, (totalReqs.get(k) ?? Quantity.fromInt(0)).add(v));
    }
    for (const [k, v] of limits) {
      totalLimits.set(k, (totalLimits.get(k) ?? Quantity.fromInt(0)).add(v));
    }
    w.write(1, `${str(pod, 'metadata', 'namespace')}\t${str(pod, 'metadata', 'name')}\t\t${share(reqs.get('cpu'), alloc('cpu'), true)}\t${share(limits.get('cpu'), alloc('cpu'), true)}\t` +
      `${share(reqs.get('memory'), alloc('memory'), false)}\t${share(limits.get('memory'), alloc('memory'), false)}\t${since(str(pod, 'metadata', 'creationTimestamp'), now)}\n`);
  }
  w.write(0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(1, 'Resource\tRequests\tLimits\n');
  w.write(1, '--------\t--------\t------\n');
  const zeroSafe = (k: string, milli: boolean): Quantity | undefined => {
    const a = alloc(k);
    return a !== undefined && (milli ? a.milliValue() : a.value()) !== 0 ? a : undefined;
  };
  for (const [k, milli] of [['cpu', true], ['memory', false], ['ephemeral-storage', false]] as const) {
    const a = zeroSafe(k, milli);
    const pct = (q: Quantity | undefined): number => (a === undefined ? 0 : percent(q, a, milli));
    w.write(1, `${k}\t${(totalReqs.get(k) ?? Quantity.fromInt(0)).toString()} (${pct(totalReqs.get(k))}%)\t${(totalLimits.get(k) ?? Quantity.fromInt(0)).toString()} (${pct(totalLimits.get(k))}%)\n`);
  }
  const standard = new Set(['cpu', 'memory', 'ephemeral-storage', 'storage', 'pods']);
  const names = Object.keys(allocList).sort();
  for (const k of names.filter((n) => n.startsWith('hugepages-'))) {
    const a = alloc(k);
    const pct = (q: Quantity | undefined): number => (a === undefined || a.value() === 0 ? 0 : percent(q, a, false));
    w.write(1, `${k}\t${(totalReqs.get(k) ?? Quantity.fromInt(0)).toString()} (${pct(totalReqs.get(k))}%)\t${(totalLimits.get(k) ?? Quantity.fromInt(0)).toString()} (${pct(totalLimits.get(k))}%)\n`);
  }
  for (const k of names.filter((n) => !n.startsWith('hugepages-') && !standard.has(n) && !n.startsWith('requests.') && !n.startsWith('limits.'))) {
    w.write(1, `${k}\t${(totalReqs.get(k) ?? Quantity.fromInt(0)).toString()}\t${(totalLimits.get(k) ?? Quantity.fromInt(0)).toString()}\n`);
  }
}
