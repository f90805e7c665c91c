/**
 * Describers for ConfigMaps, Secrets, Namespaces and Services, laid out as kubectl's.
 */
import { formatLabels } from '../printers/table.ts';
import { arr, at, DescribeWriter, map, num, printAnnotations, printEvents, printLabels, rfc1123z, sortedKeys, str } from './writer.ts';
import type { Obj } from './writer.ts';

function header(w: DescribeWriter, obj: Obj, namespaced = true): void {
  w.write(0, `Name:\t${str(obj, 'metadata', 'name')}\n`);
  if (namespaced) {
    w.write(0, `Namespace:\t${str(obj, 'metadata', 'namespace')}\n`);
  }
  printLabels(w, 'Labels', map(obj, 'metadata', 'labels'));
  printAnnotations(w, 'Annotations', map(obj, 'metadata', 'annotations'));
}

/** `describe configmap`: Data and BinaryData sections. */
export function describeConfigMap(cm: Obj, events: readonly Obj[] | undefined): string {
  const w = new DescribeWriter();
  header(w, cm);
  w.write(0, '\nData\n====\n');
  const data = map(cm, 'data');
  for (const k of sortedKeys(data)) {
    w.write(0, `${k}:\n----\n`);
    w.write(0, `${data[k] ?? ''}\n`);
    w.write(0, '\n');
  }
  w.write(0, '\nBinaryData\n====\n');
  const binary = map(cm, 'binaryData');
  for (const k of sortedKeys(binary)) {
    w.write(0, `${k}: ${Buffer.from(binary[k] ?? '', 'base64').length} bytes\n`);
  }
  w.write(0, '\n');
  printEvents(w, events);
  return w.toString();
}

/** `describe secret`: sizes only, except a service-account token. */
export function describeSecret(secret: Obj): string {
  const w = new DescribeWriter();
  header(w, secret);
  w.write(0, `\nType:\t${str(secret, 'type')}\n`);
  w.write(0, '\nData\n====\n');
  const data = map(secret, 'data');
  for (const k of sortedKeys(data)) {
    const bytes = Buffer.from(data[k] ?? '', 'base64');
    if (k === 'token' && str(secret, 'type') === 'kubernetes.io/service-account-token') {
      w.write(0, `${k}:\t${bytes.toString('utf8')}\n`);
    } else {
      w.write(0, `${k}:\t${bytes.length} bytes\n`);
    }
  }
  return w.toString();
}

/** `describe namespace` (quotas and limit ranges reported only when there are none, as the common case). */
export function describeNamespace(ns: Obj, quotas: readonly Obj[] | undefined, limitRanges: readonly Obj[] | undefined): string {
  const w = new DescribeWriter();
  header(w, ns, false);
  w.write(0, `Status:\t${str(ns, 'status', 'phase')}\n`);
  const conditions = arr(ns, 'status', 'conditions');
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n');
    w.write(1, 'Type\tStatus\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t------------------\t------\t-------\n');
    for (const c of conditions) {
      w.write(1, `${str(c, 'type')}\t${str(c, 'status')}\t${rfc1123z(str(c, 'lastTransitionTime'))}\t${str(c, 'reason')}\t${str(c, 'message')}\n`);
    }
  }
  if (quotas !== undefined) {
    w.write(0, '\n');
    if (quotas.length === 0) {
      w.write(0, 'No resource quota.\n');
    } else {
      w.write(0, 'Resource Quotas\n');
      for (const q of quotas) {
        w.write(1, `Name:\t${str(q, 'metadata', 'name')}\n`);
        w.write(1, 'Resource\tUsed\tHard\n');
        w.write(1, '--------\t---\t---\n');
        const hard = map(q, 'status', 'hard');
        const used = map(q, 'status', 'used');
        for (const r of sortedKeys(hard)) {
          w.write(1, `${r}\t${used[r] ?? '0'}\t${hard[r] ?? ''}\n`);
        }
      }
    }
  }
  if (limitRanges !== undefined) {
    w.write(0, '\n');
    if (limitRanges.length === 0) {
      w.write(0, 'No LimitRange resource.\n');
    } else {
      w.write(0, 'Resource Limits\n');
      w.write(1, 'Type\tResource\tMin\tMax\tDefault Request\tDefault Limit\tMax Limit/Request Ratio\n');
      w.write(1, '----\t--------\t---\t---\t---------------\t-------------\t-----------------------\n');
    }
  }
  return w.toString();
}

/** The Endpoints cell of a service port: up to three ready `ip:port`s from its EndpointSlices. */
function formatEndpointSlices(slices: readonly Obj[], portName: string): string {
  if (slices.length === 0) {
    return '<none>';
  }
  const list: string[] = [];
  let count = 0;
  let more = false;
  for (const s of slices) {
    const ports = arr(s, 'ports');
    const ready = (e: Obj): boolean => at(e, 'conditions', 'ready') !== false;
    if (ports.length === 0) {
      for (const e of arr(s, 'endpoints')) {
        if (list.length === 3) {
          more = true;
        }
        if (!ready(e)) {
          continue;
        }
        if (!more) {
          list.push(str(e, 'addresses', 0));
        }
        count++;
      }
      continue;
    }
    for (const p of ports) {
      if (str(p, 'name') !== portName) {
        continue;
      }
      for (const e of arr(s, 'endpoints')) {
        if (list.length === 3) {
          more = true;
        }
        if (!ready(e)) {
          continue;
        }
        if (!more) {
          const addr = str(e, 'addresses', 0);
          list.push(`${addr.includes(':') ? `[${addr}]` : addr}:${num(p, 'port')}`);
        }
        count++;
      }
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - 3} more...` : joined;
}

/** `describe service`, endpoints from the service's EndpointSlices. */
export function describeService(svc: Obj, slices: readonly Obj[], events: readonly Obj[] | undefined): string {
  const w = new DescribeWriter();
  header(w, svc);
  w.write(0, `Selector:\t${formatLabels(map(svc, 'spec', 'selector'))}\n`);
  w.write(0, `Type:\t${str(svc, 'spec', 'type')}\n`);
  if (str(svc, 'spec', 'ipFamilyPolicy') !== '') {
    w.write(0, `IP Family Policy:\t${str(svc, 'spec', 'ipFamilyPolicy')}\n`);
  }
  const families = (at(svc, 'spec', 'ipFamilies') as string[] | undefined) ?? [];
  w.write(0, `IP Families:\t${families.length > 0 ? families.join(',') : '<none>'}\n`);
  w.write(0, `IP:\t${str(svc, 'spec', 'clusterIP')}\n`);
  const ips = (at(svc, 'spec', 'clusterIPs') as string[] | undefined) ?? [];
  w.write(0, `IPs:\t${ips.length > 0 ? ips.join(',') : '<none>'}\n`);
  const externalIPs = (at(svc, 'spec', 'externalIPs') as string[] | undefined) ?? [];
  if (externalIPs.length > 0) {
    w.write(0, `External IPs:\t${externalIPs.join(',')}\n`);
  }
  if (str(svc, 'spec', 'loadBalancerIP') !== '') {
    w.write(0, `Desired LoadBalancer IP:\t${str(svc, 'spec', 'loadBalancerIP')}\n`);
  }
  if (str(svc, 'spec', 'externalName') !== '') {
    w.write(0, `External Name:\t${str(svc, 'spec', 'externalName')}\n`);
  }
  const ingress = arr(svc, 'status', 'loadBalancer', 'ingress');
  if (ingress.length > 0) {
    w.write(0, `LoadBalancer Ingress:\t${ingress.map((i) => str(i, 'ip') || str(i, 'hostname')).join(', ')}\n`);
  }
  for (const p of arr(svc, 'spec', 'ports')) {
    const name = str(p, 'name') || '<unset>';
    const proto = str(p, 'protocol');
    w.write(0, `Port:\t${name}\t${num(p, 'port')}/${proto}\n`);
    w.write(0, `TargetPort:\t${str(p, 'targetPort')}/${proto}\n`);
    if (num(p, 'nodePort') !== 0) {
      w.write(0, `NodePort:\t${name}\t${num(p, 'nodePort')}/${proto}\n`);
    }
    w.write(0, `Endpoints:\t${formatEndpointSlices(slices, str(p, 'name'))}\n`);
  }
  w.write(0, `Session Affinity:\t${str(svc, 'spec', 'sessionAffinity')}\n`);
  if (str(svc, 'spec', 'externalTrafficPolicy') !== '') {
    w.write(0, `External Traffic Policy:\t${str(svc, 'spec', 'externalTrafficPolicy')}\n`);
  }
  if (str(svc, 'spec', 'internalTrafficPolicy') !== '') {
    w.write(0, `Internal Traffic Policy:\t${str(svc, 'spec', 'internalTrafficPolicy')}\n`);
  }
  if (num(svc, 'spec', 'healthCheckNodePort') !== 0) {
    w.write(0, `HealthCheck NodePort:\t${num(svc, 'spec', 'healthCheckNodePort')}\n`);
  }
  const ranges = (at(svc, 'spec', 'loadBalancerSourceRanges') as string[] | undefined) ?? [];
  if (ranges.length > 0) {
    w.write(0, `LoadBalancer Source Ranges:\t${ranges.join(',')}\n`);
  }
  if (str(svc, 'spec', 'trafficDistribution') !== '') {
    w.write(0, `Traffic Distribution:\t${str(svc, 'spec', 'trafficDistribution')}\n`);
  }
  printEvents(w, events);
  return w.toString();
}
