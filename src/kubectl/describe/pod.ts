/**
 * `describe pod` and the pieces shared with the workload describers (containers, volumes,
 * the Pod Template block), following kubectl's describePod field by field.
 */
import { tryParseQuantity } from '../../api/quantity.ts';
import { goPrint } from '../printers/gofmt.ts';
import { arr, at, controllerOf, DescribeWriter, map, num, orNone, printAnnotations, printEvents, printLabels, printTolerations, rfc1123z, since, str } from './writer.ts';
import type { Obj } from './writer.ts';

function bool(v: unknown): string {
  return v === true ? 'True' : 'False';
}

function portList(ports: readonly Obj[], field: 'containerPort' | 'hostPort'): string {
  return ports.map((p) => `${num(p, field)}/${str(p, 'protocol')}${str(p, 'name') !== '' ? ` (${str(p, 'name')})` : ''}`).join(', ');
}

/** Resource names in kubectl's order (SortedResourceNames: bytewise). */
function resourceBlock(w: DescribeWriter, resources: unknown, level: number): void {
  for (const [title, key] of [['Limits', 'limits'], ['Requests', 'requests']] as const) {
    const list = map(resources, key);
    const names = Object.keys(list).sort();
    if (names.length > 0) {
      w.write(level, `${title}:\n`);
    }
    for (const n of names) {
      w.write(level + 1, `${n}:\t${goPrint(list[n])}\n`);
    }
  }
}

function probeText(p: Obj): string {
  const attrs = `delay=${num(p, 'initialDelaySeconds')}s timeout=${num(p, 'timeoutSeconds')}s period=${num(p, 'periodSeconds')}s #success=${num(p, 'successThreshold')} #failure=${num(p, 'failureThreshold')}`;
  if (at(p, 'exec') !== undefined) {
    return `exec [${((at(p, 'exec', 'command') as string[] | undefined) ?? []).join(' ')}] ${attrs}`;
  }
  if (at(p, 'httpGet') !== undefined) {
    const scheme = str(p, 'httpGet', 'scheme').toLowerCase();
    const port = str(p, 'httpGet', 'port');
    const host = str(p, 'httpGet', 'host');
    const hostPort = port !== '' ? `${host.includes(':') ? `[${host}]` : host}:${port}` : host;
    return `http-get ${scheme !== '' ? `${scheme}://` : '//'}${hostPort}${str(p, 'httpGet', 'path')} ${attrs}`;
  }
  if (at(p, 'tcpSocket') !== undefined) {
    return `tcp-socket ${str(p, 'tcpSocket', 'host')}:${str(p, 'tcpSocket', 'port')} ${attrs}`;
  }
  if (at(p, 'grpc') !== undefined) {
    return `grpc <pod>:${num(p, 'grpc', 'port')} ${str(p, 'grpc', 'service')} ${attrs}`;
  }
  return `unknown ${attrs}`;
}

function containerState(w: DescribeWriter, title: string, state: unknown): void {
  if (at(state, 'running') !== undefined) {
    w.write(2, `${title}:\tRunning\n`);
    w.write(3, `Started:\t${rfc1123z(str(state, 'running', 'startedAt'))}\n`);
  } else if (at(state, 'waiting') !== undefined) {
    w.write(2, `${title}:\tWaiting\n`);
    if (str(state, 'waiting', 'reason') !== '') {
      w.write(3, `Reason:\t${str(state, 'waiting', 'reason')}\n`);
    }
  } else if (at(state, 'terminated') !== undefined) {
    w.write(2, `${title}:\tTerminated\n`);
    if (str(state, 'terminated', 'reason') !== '') {
      w.write(3, `Reason:\t${str(state, 'terminated', 'reason')}\n`);
    }
    if (str(state, 'terminated', 'message') !== '') {
      w.write(3, `Message:\t${str(state, 'terminated', 'message')}\n`);
    }
    w.write(3, `Exit Code:\t${num(state, 'terminated', 'exitCode')}\n`);
    if (num(state, 'terminated', 'signal') > 0) {
      w.write(3, `Signal:\t${num(state, 'terminated', 'signal')}\n`);
    }
    w.write(3, `Started:\t${rfc1123z(str(state, 'terminated', 'startedAt'))}\n`);
    w.write(3, `Finished:\t${rfc1123z(str(state, 'terminated', 'finishedAt'))}\n`);
  } else {
    w.write(2, `${title}:\tWaiting\n`);
  }
}

function envVars(w: DescribeWriter, c: Obj, pod: Obj | undefined): void {
  const env = arr(c, 'env');
  w.write(2, `Environment:${env.length === 0 ? '\t<none>' : ''}\n`);
  for (const e of env) {
    const from = at(e, 'valueFrom');
    if (from === undefined) {
      str(e, 'value').split('\n').forEach((s, i) => w.write(3, i === 0 ? `${str(e, 'name')}:\t${s}\n` : `\t${s}\n`));
    } else if (at(from, 'fieldRef') !== undefined) {
      const path = str(from, 'fieldRef', 'fieldPath');
      const value = pod === undefined ? '' : fieldValue(pod, path);
      w.write(3, `${str(e, 'name')}:\t${value} (${str(from, 'fieldRef', 'apiVersion')}:${path})\n`);
    } else if (at(from, 'resourceFieldRef') !== undefined) {
      const resource = str(from, 'resourceFieldRef', 'resource');
      let value = containerResourceValue(c, resource, at(from, 'resourceFieldRef', 'divisor'));
      if (value === '0' && (resource === 'limits.cpu' || resource === 'limits.memory')) {
        value = 'node allocatable';
      }
      w.write(3, `${str(e, 'name')}:\t${value} (${resource})\n`);
    } else if (at(from, 'secretKeyRef') !== undefined) {
      w.write(3, `${str(e, 'name')}:\t<set to the key '${str(from, 'secretKeyRef', 'key')}' in secret '${str(from, 'secretKeyRef', 'name')}'>\tOptional: ${at(from, 'secretKeyRef', 'optional') === true}\n`);
    } else if (at(from, 'configMapKeyRef') !== undefined) {
      w.write(3, `${str(e, 'name')}:\t<set to the key '${str(from, 'configMapKeyRef', 'key')}' of config map '${str(from, 'configMapKeyRef', 'name')}'>\tOptional: ${at(from, 'configMapKeyRef', 'optional') === true}\n`);
    }
  }
}

/** The downward API's value of a container resource (`limits.cpu` in cores rounded up, memory in bytes), '' when unsupported. */
function containerResourceValue(c: Obj, resource: string, divisor: unknown): string {
  const m = /^(limits|requests)\.(.+)$/.exec(resource);
  const raw = m ? map(c, 'resources', m[1] ?? '')[m[2] ?? ''] : undefined;
  const q = tryParseQuantity(raw ?? '0');
  const d = tryParseQuantity(divisor === undefined || divisor === null || divisor === '0' ? '1' : divisor);
  if (!m || q === undefined || d === undefined) {
    return '';
  }
  const value = m[2] === 'cpu' ? Math.ceil(q.milliValue() / d.milliValue()) : Math.ceil(q.value() / d.value());
  return String(value);
}

/** The downward-API value of a pod field path (the ones kubectl resolves for display). */
function fieldValue(pod: Obj, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m) {
    return map(pod, 'metadata', m[1] ?? '')[m[2] ?? ''] ?? '';
  }
  const simple: Record<string, readonly string[]> = {
    'metadata.name': ['metadata', 'name'], 'metadata.namespace': ['metadata', 'namespace'], 'metadata.uid': ['metadata', 'uid'],
    'spec.nodeName': ['spec', 'nodeName'], 'spec.serviceAccountName': ['spec', 'serviceAccountName'], 'status.hostIP': ['status', 'hostIP'],
    'status.podIP': ['status', 'podIP'],
  };
  const p = simple[path];
  return p ? str(pod, ...p) : '';
}

/** One Containers/Init Containers section; `statuses` undefined for templates. */
export function describeContainers(w: DescribeWriter, label: string, containers: readonly Obj[], statuses: readonly Obj[] | undefined, pod: Obj | undefined, space: string): void {
  w.write(0, `${space}${label}:${containers.length === 0 ? ' <none>' : ''}\n`);
  const byName = new Map((statuses ?? []).map((s) => [str(s, 'name'), s]));
  const nameIndent = space !== '' ? ' ' : '';
  for (const c of containers) {
    const status = byName.get(str(c, 'name'));
    w.write(1, `${nameIndent}${str(c, 'name')}:\n`);
    if (status) {
      w.write(2, `Container ID:\t${str(status, 'containerID')}\n`);
    }
    w.write(2, `Image:\t${str(c, 'image')}\n`);
    if (status) {
      w.write(2, `Image ID:\t${str(status, 'imageID')}\n`);
    }
    const ports = portList(arr(c, 'ports'), 'containerPort');
    w.write(2, ports.includes(',') ? `Ports:\t${ports}\n` : `Port:\t${orNone(ports)}\n`);
    const hostPorts = portList(arr(c, 'ports'), 'hostPort');
    w.write(2, hostPorts.includes(',') ? `Host Ports:\t${hostPorts}\n` : `Host Port:\t${orNone(hostPorts)}\n`);
    if (at(c, 'securityContext', 'seccompProfile') !== undefined) {
      w.write(2, `SeccompProfile:\t${str(c, 'securityContext', 'seccompProfile', 'type')}\n`);
    }
    for (const [title, key] of [['Command', 'command'], ['Args', 'args']] as const) {
      const parts = (at(c, key) as string[] | undefined) ?? [];
      if (parts.length > 0) {
        w.write(2, `${title}:\n`);
        for (const part of parts) {
          for (const s of part.split('\n')) {
            w.write(3, `${s}\n`);
          }
        }
      }
    }
    if (status) {
      containerState(w, 'State', at(status, 'state'));
      if (at(status, 'lastState', 'terminated') !== undefined) {
        containerState(w, 'Last State', at(status, 'lastState'));
      }
      w.write(2, `Ready:\t${bool(at(status, 'ready'))}\n`);
      w.write(2, `Restart Count:\t${num(status, 'restartCount')}\n`);
    }
    resourceBlock(w, at(c, 'resources'), 2);
    for (const [title, key] of [['Liveness', 'livenessProbe'], ['Readiness', 'readinessProbe'], ['Startup', 'startupProbe']] as const) {
      const probe = at(c, key);
      if (probe !== undefined) {
        w.write(2, `${title}:\t${probeText(probe as Obj)}\n`);
      }
    }
    const envFrom = arr(c, 'envFrom');
    if (envFrom.length > 0) {
      w.write(2, 'Environment Variables from:\n');
      for (const e of envFrom) {
        const cm = at(e, 'configMapRef');
        const ref = cm ?? at(e, 'secretRef');
        const kind = cm !== undefined ? 'ConfigMap' : 'Secret';
        const prefix = str(e, 'prefix');
        w.write(3, `${str(ref, 'name')}\t${kind}${prefix !== '' ? ` with prefix '${prefix}'` : ''}\tOptional: ${at(ref, 'optional') === true}\n`);
      }
    }
    envVars(w, c, pod);
    const mounts = [...arr(c, 'volumeMounts')].sort((a, b) => (str(a, 'mountPath') < str(b, 'mountPath') ? -1 : str(a, 'mountPath') > str(b, 'mountPath') ? 1 : 0));
    w.write(2, `Mounts:${mounts.length === 0 ? '\t<none>' : ''}\n`);
    for (const m of mounts) {
      const flags = [at(m, 'readOnly') === true ? 'ro' : 'rw'];
      if (str(m, 'subPath') !== '') {
        flags.push(`path=${JSON.stringify(str(m, 'subPath'))}`);
      }
      w.write(3, `${str(m, 'mountPath')} from ${str(m, 'name')} (${flags.join(',')})\n`);
    }
  }
}

function volumeSource(w: DescribeWriter, v: Obj): void {
  const optional = (o: unknown): string => String(at(o, 'optional') === true);
  if (at(v, 'hostPath') !== undefined) {
    w.write(2, `Type:\tHostPath (bare host directory volume)\n    Path:\t${str(v, 'hostPath', 'path')}\n    HostPathType:\t${str(v, 'hostPath', 'type') || '<none>'}\n`);
  } else if (at(v, 'emptyDir') !== undefined) {
    const limit = at(v, 'emptyDir', 'sizeLimit');
    w.write(2, `Type:\tEmptyDir (a temporary directory that shares a pod's lifetime)\n    Medium:\t${str(v, 'emptyDir', 'medium')}\n    SizeLimit:\t${limit === undefined ? '<unset>' : goPrint(limit)}\n`);
  } else if (at(v, 'secret') !== undefined) {
    w.write(2, `Type:\tSecret (a volume populated by a Secret)\n    SecretName:\t${str(v, 'secret', 'secretName')}\n    Optional:\t${optional(at(v, 'secret'))}\n`);
  } else if (at(v, 'configMap') !== undefined) {
    w.write(2, `Type:\tConfigMap (a volume populated by a ConfigMap)\n    Name:\t${str(v, 'configMap', 'name')}\n    Optional:\t${optional(at(v, 'configMap'))}\n`);
  } else if (at(v, 'persistentVolumeClaim') !== undefined) {
    w.write(2, `Type:\tPersistentVolumeClaim (a reference to a PersistentVolumeClaim in the same namespace)\n    ClaimName:\t${str(v, 'persistentVolumeClaim', 'claimName')}\n    ReadOnly:\t${at(v, 'persistentVolumeClaim', 'readOnly') === true}\n`);
  } else if (at(v, 'downwardAPI') !== undefined) {
    w.write(2, 'Type:\tDownwardAPI (a volume populated by information about the pod)\n    Items:\n');
    for (const item of arr(v, 'downwardAPI', 'items')) {
      if (at(item, 'fieldRef') !== undefined) {
        w.write(3, `${str(item, 'fieldRef', 'fieldPath')} -> ${str(item, 'path')}\n`);
      } else if (at(item, 'resourceFieldRef') !== undefined) {
        w.write(3, `${str(item, 'resourceFieldRef', 'resource')} -> ${str(item, 'path')}\n`);
      }
    }
  } else if (at(v, 'projected') !== undefined) {
    w.write(2, 'Type:\tProjected (a volume that contains injected data from multiple sources)\n');
    for (const s of arr(v, 'projected', 'sources')) {
      if (at(s, 'secret') !== undefined) {
        w.write(2, `SecretName:\t${str(s, 'secret', 'name')}\n    Optional:\t${optional(at(s, 'secret'))}\n`);
      } else if (at(s, 'downwardAPI') !== undefined) {
        w.write(2, 'DownwardAPI:\ttrue\n');
      } else if (at(s, 'configMap') !== undefined) {
        w.write(2, `ConfigMapName:\t${str(s, 'configMap', 'name')}\n    Optional:\t${optional(at(s, 'configMap'))}\n`);
      } else if (at(s, 'serviceAccountToken') !== undefined) {
        w.write(2, `TokenExpirationSeconds:\t${num(s, 'serviceAccountToken', 'expirationSeconds')}\n`);
      }
    }
  } else if (at(v, 'nfs') !== undefined) {
    w.write(2, `Type:\tNFS (an NFS mount that lasts the lifetime of a pod)\n    Server:\t${str(v, 'nfs', 'server')}\n    Path:\t${str(v, 'nfs', 'path')}\n    ReadOnly:\t${at(v, 'nfs', 'readOnly') === true}\n`);
  } else if (at(v, 'image') !== undefined) {
    w.write(2, `Type:\tImage (a container image or OCI artifact)\n    Reference:\t${str(v, 'image', 'reference')}\n    PullPolicy:\t${str(v, 'image', 'pullPolicy')}\n`);
  } else {
    w.write(1, '<unknown>\n');
  }
}

/** The Volumes section. */
export function describeVolumes(w: DescribeWriter, volumes: readonly Obj[], space: string): void {
  if (volumes.length === 0) {
    w.write(0, `${space}Volumes:\t<none>\n`);
    return;
  }
  w.write(0, `${space}Volumes:\n`);
  for (const v of volumes) {
    w.write(1, `${space !== '' ? ' ' : ''}${str(v, 'name')}:\n`);
    volumeSource(w, v);
  }
}

/** The `Pod Template:` block of deployments, replica sets and jobs. */
export function describePodTemplate(w: DescribeWriter, template: unknown): void {
  w.write(0, 'Pod Template:\n');
  printLabels(w, '  Labels', map(template, 'metadata', 'labels'));
  const annotations = map(template, 'metadata', 'annotations');
  if (Object.keys(annotations).length > 0) {
    printAnnotations(w, '  Annotations', annotations);
  }
  if (str(template, 'spec', 'serviceAccountName') !== '') {
    w.write(1, `Service Account:\t${str(template, 'spec', 'serviceAccountName')}\n`);
  }
  const init = arr(template, 'spec', 'initContainers');
  if (init.length > 0) {
    describeContainers(w, 'Init Containers', init, undefined, undefined, '  ');
  }
  describeContainers(w, 'Containers', arr(template, 'spec', 'containers'), undefined, undefined, '  ');
  describeVolumes(w, arr(template, 'spec', 'volumes'), '  ');
  if (str(template, 'spec', 'priorityClassName') !== '') {
    w.write(1, `Priority Class Name:\t${str(template, 'spec', 'priorityClassName')}\n`);
  }
  printLabels(w, '  Node-Selectors', map(template, 'spec', 'nodeSelector'));
  printTolerations(w, '  Tolerations', arr(template, 'spec', 'tolerations'));
}

/** Kubernetes' QoS class: the recorded status, else computed from requests and limits. */
function qosClass(pod: Obj): string {
  const recorded = str(pod, 'status', 'qosClass');
  if (recorded !== '') {
    return recorded;
  }
  const containers = [...arr(pod, 'spec', 'containers'), ...arr(pod, 'spec', 'initContainers')];
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const req = map(c, 'resources', 'requests');
    const lim = map(c, 'resources', 'limits');
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) {
        any = true;
      }
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) {
        guaranteed = false;
      }
    }
  }
  return !any ? 'BestEffort' : guaranteed ? 'Guaranteed' : 'Burstable';
}

/** `describe pod`. */
export function describePod(pod: Obj, events: readonly Obj[] | undefined, now = Date.now()): string {
  const w = new DescribeWriter();
  w.write(0, `Name:\t${str(pod, 'metadata', 'name')}\n`);
  w.write(0, `Namespace:\t${str(pod, 'metadata', 'namespace')}\n`);
  if (typeof at(pod, 'spec', 'priority') === 'number') {
    w.write(0, `Priority:\t${num(pod, 'spec', 'priority')}\n`);
  }
  if (str(pod, 'spec', 'priorityClassName') !== '') {
    w.write(0, `Priority Class Name:\t${str(pod, 'spec', 'priorityClassName')}\n`);
  }
  if (str(pod, 'spec', 'runtimeClassName') !== '') {
    w.write(0, `Runtime Class Name:\t${str(pod, 'spec', 'runtimeClassName')}\n`);
  }
  if (str(pod, 'spec', 'serviceAccountName') !== '') {
    w.write(0, `Service Account:\t${str(pod, 'spec', 'serviceAccountName')}\n`);
  }
  w.write(0, str(pod, 'spec', 'nodeName') === '' ? 'Node:\t<none>\n' : `Node:\t${str(pod, 'spec', 'nodeName')}/${str(pod, 'status', 'hostIP')}\n`);
  if (str(pod, 'status', 'startTime') !== '') {
    w.write(0, `Start Time:\t${rfc1123z(str(pod, 'status', 'startTime'))}\n`);
  }
  printLabels(w, 'Labels', map(pod, 'metadata', 'labels'));
  printAnnotations(w, 'Annotations', map(pod, 'metadata', 'annotations'));
  const phase = str(pod, 'status', 'phase');
  if (str(pod, 'metadata', 'deletionTimestamp') !== '' && phase !== 'Failed' && phase !== 'Succeeded') {
    w.write(0, `Status:\tTerminating (lasts ${since(str(pod, 'metadata', 'deletionTimestamp'), now)})\n`);
    w.write(0, `Termination Grace Period:\t${num(pod, 'metadata', 'deletionGracePeriodSeconds')}s\n`);
  } else {
    w.write(0, `Status:\t${phase}\n`);
  }
  if (str(pod, 'status', 'reason') !== '') {
    w.write(0, `Reason:\t${str(pod, 'status', 'reason')}\n`);
  }
  if (str(pod, 'status', 'message') !== '') {
    w.write(0, `Message:\t${str(pod, 'status', 'message')}\n`);
  }
  if (at(pod, 'spec', 'securityContext', 'seccompProfile') !== undefined) {
    w.write(0, `SeccompProfile:\t${str(pod, 'spec', 'securityContext', 'seccompProfile', 'type')}\n`);
  }
  w.write(0, `IP:\t${str(pod, 'status', 'podIP')}\n`);
  const podIPs = arr(pod, 'status', 'podIPs');
  if (podIPs.length === 0) {
    w.write(0, 'IPs:\t<none>\n');
  } else {
    w.write(0, 'IPs:\n');
    for (const ip of podIPs) {
      w.write(1, `IP:\t${str(ip, 'ip')}\n`);
    }
  }
  const owner = controllerOf(pod);
  if (owner !== '') {
    w.write(0, `Controlled By:\t${owner}\n`);
  }
  if (str(pod, 'status', 'nominatedNodeName') !== '') {
    w.write(0, `NominatedNodeName:\t${str(pod, 'status', 'nominatedNodeName')}\n`);
  }
  if (at(pod, 'spec', 'resources') !== undefined) {
    w.write(0, 'Resources:\n');
    resourceBlock(w, at(pod, 'spec', 'resources'), 1);
  }
  const init = arr(pod, 'spec', 'initContainers');
  if (init.length > 0) {
    describeContainers(w, 'Init Containers', init, arr(pod, 'status', 'initContainerStatuses'), pod, '');
  }
  describeContainers(w, 'Containers', arr(pod, 'spec', 'containers'), arr(pod, 'status', 'containerStatuses'), pod, '');
  const gates = arr(pod, 'spec', 'readinessGates');
  const conditions = arr(pod, 'status', 'conditions');
  if (gates.length > 0) {
    w.write(0, 'Readiness Gates:\n  Type\tStatus\n');
    for (const g of gates) {
      const c = conditions.find((x) => str(x, 'type') === str(g, 'conditionType'));
      w.write(1, `${str(g, 'conditionType')} \t${c ? str(c, 'status') : '<none>'} \n`);
    }
  }
  if (conditions.length > 0) {
    w.write(0, 'Conditions:\n  Type\tStatus\n');
    for (const c of conditions) {
      w.write(1, `${str(c, 'type')} \t${str(c, 'status')} \n`);
    }
  }
  describeVolumes(w, arr(pod, 'spec', 'volumes'), '');
  w.write(0, `QoS Class:\t${qosClass(pod)}\n`);
  printLabels(w, 'Node-Selectors', map(pod, 'spec', 'nodeSelector'));
  printTolerations(w, 'Tolerations', arr(pod, 'spec', 'tolerations'));
  printEvents(w, events, now);
  return w.toString();
}
