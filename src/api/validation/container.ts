/** Container validation (validateContainers and friends in core validation.go). */
import type { FieldError } from '../errors.ts';
import { asArr, asObj, asStr, child, duplicate, forbidden, index, invalid, isInt, notFoundField, notSupported, required } from './field.ts';
import type { Obj } from './field.ts';
import { isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isRelaxedEnvVarName, isValidPortName, isValidPortNum } from './names.ts';
import { validateResourceRequirements } from './resources.ts';

/** ValidatePortNumOrName: an int port 1-65535 or an IANA service name. */
export function validatePortNumOrName(port: unknown, path: string): FieldError[] {
  if (typeof port === 'number') {
    return isValidPortNum(port).map((m) => invalid(path, port, m));
  }
  if (typeof port === 'string') {
    if (port === '') {
      return [required(path, '')];
    }
    return isValidPortName(port).map((m) => invalid(path, port, m));
  }
  return [required(path, '')];
}

/** `must be greater than or equal to 0` for negative integers. */
export function nonNegative(value: unknown, path: string): FieldError[] {
  return isInt(value) && value < 0 ? [invalid(path, value, 'must be greater than or equal to 0')] : [];
}

const handlerKinds = ['exec', 'httpGet', 'tcpSocket', 'grpc'];

/** A probe or lifecycle handler: exactly one action, each well formed. */
export function validateHandler(handler: Obj, path: string, kinds = handlerKinds): FieldError[] {
  const errs: FieldError[] = [];
  let count = 0;
  for (const kind of kinds) {
    const action = asObj(handler[kind]);
    if (action === undefined) {
      continue;
    }
    count++;
    if (count > 1) {
      errs.push(forbidden(child(path, kind), 'may not specify more than 1 handler type'));
      continue;
    }
    const p = child(path, kind);
    if (kind === 'exec') {
      if (asArr(action.command).length === 0) {
        errs.push(required(child(p, 'command'), ''));
      }
    } else if (kind === 'httpGet') {
      if (asStr(action.path) === '') {
        errs.push(required(child(p, 'path'), ''));
      }
      errs.push(...validatePortNumOrName(action.port, child(p, 'port')));
      const scheme = asStr(action.scheme);
      if (scheme !== 'HTTP' && scheme !== 'HTTPS') {
        errs.push(notSupported(child(p, 'scheme'), scheme, ['HTTP', 'HTTPS']));
      }
    } else if (kind === 'tcpSocket') {
      errs.push(...validatePortNumOrName(action.port, child(p, 'port')));
    } else if (kind === 'grpc') {
      const port = action.port;
      errs.push(...(isInt(port) ? isValidPortNum(port).map((m) => invalid(child(p, 'port'), port, m)) : [required(child(p, 'port'), '')]));
    } else if (kind === 'sleep') {
      const seconds = action.seconds;
      if (isInt(seconds) && seconds <= 0) {
        errs.push(invalid(child(p, 'seconds'), seconds, 'must be greater than 0'));
      }
    }
  }
  if (count === 0) {
    errs.push(required(path, 'must specify a handler type'));
  }
  return errs;
}

function validateProbe(probe: unknown, path: string): FieldError[] {
  const p = asObj(probe);
  if (p === undefined) {
    return [];
  }
  const errs = validateHandler(p, path);
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(p[f], child(path, f)));
  }
  if (isInt(p.terminationGracePeriodSeconds) && p.terminationGracePeriodSeconds <= 0) {
    errs.push(invalid(child(path, 'terminationGracePeriodSeconds'), p.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

/** Field paths env vars may read (validEnvDownwardAPIFieldPathExpressions). */
const envFieldPaths = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
/** Field labels the downward API can convert at all (ConvertDownwardAPIFieldLabel). */
const convertibleFieldPaths = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.restartPolicy', 'spec.serviceAccountName', 'spec.schedulerName', 'status.phase', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs', 'spec.host'];

/** validateObjectFieldSelector for env vars. */
function validateEnvFieldRef(fieldRef: Obj, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const fp = asStr(fieldRef.fieldPath);
  if (asStr(fieldRef.apiVersion) === '') {
    errs.push(required(child(p, 'apiVersion'), ''));
    return errs;
  }
  if (fp === '') {
    errs.push(required(child(p, 'fieldPath'), ''));
    return errs;
  }
  const sub = /^(metadata\.annotations|metadata\.labels)\['(.*)'\]$/.exec(fp);
  const base = sub !== null ? sub[1] : fp;
  if (!convertibleFieldPaths.includes(base)) {
    errs.push(invalid(child(p, 'fieldPath'), fp, `error converting fieldPath: field label not supported: ${fp}`));
  } else if (sub !== null) {
    const key = base === 'metadata.annotations' ? sub[2].toLowerCase() : sub[2];
    errs.push(...isQualifiedName(key).map((m) => invalid(p, key, m)));
  } else if (!envFieldPaths.includes(base === 'spec.host' ? 'spec.nodeName' : base)) {
    errs.push(notSupported(child(p, 'fieldPath'), base, envFieldPaths));
  }
  return errs;
}

function validateKeySelector(sel: Obj, path: string, nameField: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = asStr(sel.name);
  if (name === '' && nameField !== '') {
    errs.push(required(child(path, 'name'), ''));
  }
  const k = asStr(sel.key);
  if (k === '') {
    errs.push(required(child(path, 'key'), ''));
  } else {
    errs.push(...isConfigMapKey(k).map((m) => invalid(child(path, 'key'), k, m)));
  }
  return errs;
}

function validateEnvVarValueFrom(ev: Obj, path: string): FieldError[] {
  const from = asObj(ev.valueFrom);
  if (from === undefined) {
    return [];
  }
  const errs: FieldError[] = [];
  let sources = 0;
  const fieldRef = asObj(from.fieldRef);
  if (fieldRef !== undefined) {
    sources++;
    errs.push(...validateEnvFieldRef(fieldRef, child(path, 'fieldRef')));
  }
  const resourceFieldRef = asObj(from.resourceFieldRef);
  if (resourceFieldRef !== undefined) {
    sources++;
    if (asStr(resourceFieldRef.resource) === '') {
      errs.push(required(child(path, 'resourceFieldRef', 'resource'), ''));
    }
  }
  const cmRef = asObj(from.configMapKeyRef);
  if (cmRef !== undefined) {
    sources++;
    errs.push(...validateKeySelector(cmRef, child(path, 'configMapKeyRef'), 'name'));
  }
  const secretRef = asObj(from.secretKeyRef);
  if (secretRef !== undefined) {
    sources++;
    errs.push(...validateKeySelector(secretRef, child(path, 'secretKeyRef'), 'name'));
  }
  if (asObj(from.fileKeyRef) !== undefined) {
    sources++;
  }
  if (sources === 0) {
    errs.push(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  } else if (asStr(ev.value) !== '') {
    errs.push(invalid(path, '', 'may not be specified when `value` is not empty'));
  } else if (sources > 1) {
    errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  }
  return errs;
}

function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(env).forEach((raw, i) => {
    const ev = asObj(raw) ?? {};
    const p = index(path, i);
    const name = asStr(ev.name);
    if (name === '') {
      errs.push(required(child(p, 'name'), ''));
    } else {
      errs.push(...isRelaxedEnvVarName(name).map((m) => invalid(child(p, 'name'), name, m)));
    }
    errs.push(...validateEnvVarValueFrom(ev, child(p, 'valueFrom')));
  });
  return errs;
}

function validateEnvFrom(envFrom: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(envFrom).forEach((raw, i) => {
    const ef = asObj(raw) ?? {};
    const p = index(path, i);
    const prefix = asStr(ef.prefix);
    if (prefix !== '') {
      errs.push(...isRelaxedEnvVarName(prefix).map((m) => invalid(child(p, 'prefix'), prefix, m)));
    }
    let sources = 0;
    for (const kind of ['configMapRef', 'secretRef']) {
      const ref = asObj(ef[kind]);
      if (ref === undefined) {
        continue;
      }
      sources++;
      const name = asStr(ref.name);
      if (name === '') {
        errs.push(required(child(p, kind, 'name'), ''));
      } else {
        errs.push(...isDNS1123Subdomain(name).map((m) => invalid(child(p, kind, 'name'), name, m)));
      }
    }
    if (sources === 0) {
      errs.push(invalid(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
    } else if (sources > 1) {
      errs.push(invalid(p, '', 'may not have more than one field specified at a time'));
    }
  });
  return errs;
}

function validatePorts(ports: unknown, path: string, hostNetwork: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  asArr(ports).forEach((raw, i) => {
    const port = asObj(raw) ?? {};
    const p = index(path, i);
    const name = asStr(port.name);
    if (name !== '') {
      const msgs = isValidPortName(name);
      if (msgs.length > 0) {
        errs.push(...msgs.map((m) => invalid(child(p, 'name'), name, m)));
      } else if (names.has(name)) {
        errs.push(duplicate(child(p, 'name'), name));
      } else {
        names.add(name);
      }
    }
    const containerPort = port.containerPort;
    if (containerPort === undefined || containerPort === 0) {
      errs.push(required(child(p, 'containerPort'), ''));
    } else if (typeof containerPort === 'number') {
      errs.push(...isValidPortNum(containerPort).map((m) => invalid(child(p, 'containerPort'), containerPort, m)));
    }
    const hostPort = port.hostPort;
    if (typeof hostPort === 'number' && hostPort !== 0) {
      errs.push(...isValidPortNum(hostPort).map((m) => invalid(child(p, 'hostPort'), hostPort, m)));
    }
    if (hostNetwork && typeof hostPort === 'number' && hostPort !== 0 && hostPort !== containerPort) {
      errs.push(invalid(child(p, 'containerPort'), containerPort ?? null, 'must match `hostPort` when `hostNetwork` is true'));
    }
    const protocol = asStr(port.protocol);
    if (protocol === '') {
      errs.push(required(child(p, 'protocol'), ''));
    } else if (!['SCTP', 'TCP', 'UDP'].includes(protocol)) {
      errs.push(notSupported(child(p, 'protocol'), protocol, ['SCTP', 'TCP', 'UDP']));
    }
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, path: string, volumes: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  const mountPoints = new Set<string>();
  asArr(mounts).forEach((raw, i) => {
    const m = asObj(raw) ?? {};
    const p = index(path, i);
    const name = asStr(m.name);
    if (name === '') {
      errs.push(required(child(p, 'name'), ''));
    }
    if (!volumes.has(name)) {
      errs.push(notFoundField(child(p, 'name'), name));
    }
    const mountPath = asStr(m.mountPath);
    if (mountPath === '') {
      errs.push(required(child(p, 'mountPath'), ''));
    }
    if (mountPoints.has(mountPath)) {
      errs.push(invalid(child(p, 'mountPath'), mountPath, 'must be unique'));
    }
    mountPoints.add(mountPath);
    const subPath = asStr(m.subPath);
    if (subPath !== '') {
      if (subPath.startsWith('/')) {
        errs.push(invalid(child(p, 'subPath'), subPath, 'must be a relative path'));
      }
      if (subPath.split('/').includes('..')) {
        errs.push(invalid(child(p, 'subPath'), subPath, "must not contain '..'"));
      }
    }
  });
  return errs;
}

/** What validateContainers needs from the surrounding pod spec. */
export interface ContainerContext {
  volumes: ReadonlySet<string>;
  hostNetwork: boolean;
  /** Names already used by other containers of the pod (shared across init/regular/ephemeral). */
  names: Set<string>;
}

const pullPolicies = ['Always', 'IfNotPresent', 'Never'];

/** One container list (`spec.containers` or `spec.initContainers`). */
export function validateContainers(list: unknown, path: string, ctx: ContainerContext, init: boolean): FieldError[] {
  const errs: FieldError[] = [];
  asArr(list).forEach((raw, i) => {
    const c = asObj(raw) ?? {};
    const p = index(path, i);
    const name = asStr(c.name);
    if (name === '') {
      errs.push(required(child(p, 'name'), ''));
    } else {
      errs.push(...isDNS1123Label(name).map((m) => invalid(child(p, 'name'), name, m)));
      if (ctx.names.has(name)) {
        errs.push(duplicate(child(p, 'name'), name));
      }
      ctx.names.add(name);
    }
    const image = asStr(c.image);
    if (image === '') {
      errs.push(required(child(p, 'image'), ''));
    } else if (image !== image.trim()) {
      errs.push(invalid(child(p, 'image'), image, 'must not have leading or trailing whitespace'));
    }
    const policy = asStr(c.imagePullPolicy);
    if (policy === '') {
      errs.push(required(child(p, 'imagePullPolicy'), ''));
    } else if (!pullPolicies.includes(policy)) {
      errs.push(notSupported(child(p, 'imagePullPolicy'), policy, pullPolicies));
    }
    const tmp = asStr(c.terminationMessagePolicy);
    if (tmp === '') {
      errs.push(required(child(p, 'terminationMessagePolicy'), 'must be \'File\' or \'FallbackToLogsOnError\''));
    } else if (tmp !== 'File' && tmp !== 'FallbackToLogsOnError') {
      errs.push(invalid(child(p, 'terminationMessagePolicy'), tmp, 'must be \'File\' or \'FallbackToLogsOnError\''));
    }
    const restartPolicy = c.restartPolicy;
    const sidecar = init && restartPolicy === 'Always';
    if (restartPolicy !== undefined && restartPolicy !== null) {
      if (init) {
        if (restartPolicy !== 'Always') {
          errs.push(notSupported(child(p, 'restartPolicy'), restartPolicy, ['Always']));
        }
      }
    }
    errs.push(...validatePorts(c.ports, child(p, 'ports'), ctx.hostNetwork));
    errs.push(...validateEnv(c.env, child(p, 'env')));
    errs.push(...validateEnvFrom(c.envFrom, child(p, 'envFrom')));
    errs.push(...validateVolumeMounts(c.volumeMounts, child(p, 'volumeMounts'), ctx.volumes));
    for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (c[probe] == null) {
        continue;
      }
      if (init && !sidecar) {
        errs.push(forbidden(child(p, probe), 'may not be set for init containers without restartPolicy=Always'));
        continue;
      }
      errs.push(...validateProbe(c[probe], child(p, probe)));
      const success = asObj(c[probe])?.successThreshold;
      if (probe !== 'readinessProbe' && isInt(success) && success !== 1) {
        errs.push(invalid(child(p, probe, 'successThreshold'), success, 'must be 1'));
      }
    }
    const lifecycle = asObj(c.lifecycle);
    if (lifecycle !== undefined) {
      if (init && !sidecar) {
        errs.push(forbidden(child(p, 'lifecycle'), 'may not be set for init containers without restartPolicy=Always'));
      } else {
        for (const hook of ['postStart', 'preStop']) {
          const h = asObj(lifecycle[hook]);
          if (h !== undefined) {
            errs.push(...validateHandler(h, child(p, 'lifecycle', hook), ['exec', 'httpGet', 'tcpSocket', 'sleep']));
          }
        }
      }
    }
    errs.push(...validateResourceRequirements(c.resources, child(p, 'resources')));
  });
  return errs;
}
