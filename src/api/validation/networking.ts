/** networking.k8s.io/v1 validation: Ingress, IngressClass, NetworkPolicy. */
import { isIP } from 'node:net';
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { asArr, asObj, asStr, child, forbidden, immutable, index, invalid, notSupported, rendered, required } from './field.ts';
import { isDNS1035Label, isDNS1123Subdomain, isValidPortName, isValidPortNum, regexError } from './names.ts';
import { validateLabelSelector } from './labelselector.ts';

const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];
const invalidPathSequences = ['//', '/./', '/../', '%2f', '%2F'];
const invalidPathSuffixes = ['/..', '/.'];

function isWildcardSubdomain(host: string): string[] {
  const fmt = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
  return new RegExp(`^${fmt}$`).test(host) ? [] : [regexError("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character", fmt, '*.example.com')];
}

function validateHost(host: string, path: string): FieldError[] {
  if (isIP(host) !== 0) {
    return [invalid(path, host, 'must be a DNS name, not an IP address')];
  }
  const msgs = host.startsWith('*') ? isWildcardSubdomain(host) : isDNS1123Subdomain(host);
  return msgs.map((m) => invalid(path, host, m));
}

function validateBackend(backend: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const service = asObj(backend.service);
  const resource = asObj(backend.resource);
  if (service !== undefined && resource !== undefined) {
    return [invalid(path, '', 'cannot set both resource and service backends')];
  }
  if (resource !== undefined) {
    if (asStr(resource.kind) === '') {
      errs.push(required(child(path, 'resource', 'kind'), ''));
    }
    if (asStr(resource.name) === '') {
      errs.push(required(child(path, 'resource', 'name'), ''));
    }
    return errs;
  }
  if (service === undefined) {
    return [invalid(path, '', 'one backend (service or resource) must be specified')];
  }
  const name = asStr(service.name);
  if (name === '') {
    errs.push(required(child(path, 'service', 'name'), ''));
  } else {
    errs.push(...isDNS1035Label(name).map((m) => invalid(child(path, 'service', 'name'), name, m)));
  }
  const port = asObj(service.port) ?? {};
  const portName = asStr(port.name);
  const portNumber = typeof port.number === 'number' ? port.number : 0;
  if (portName !== '' && portNumber !== 0) {
    errs.push(invalid(path, '', 'cannot set both port name & port number'));
  } else if (portName !== '') {
    errs.push(...isValidPortName(portName).map((m) => invalid(child(path, 'service', 'port', 'name'), portName, m)));
  } else if (portNumber !== 0) {
    errs.push(...isValidPortNum(portNumber).map((m) => invalid(child(path, 'service', 'port', 'number'), portNumber, m)));
  } else {
    errs.push(required(path, 'port name or number is required'));
  }
  return errs;
}

/** Ingress: rules, hosts, paths with pathType, backends, TLS hosts. */
export function validateIngress(ing: KubeObject): FieldError[] {
  const spec = asObj(ing.spec) ?? {};
  const errs: FieldError[] = [];
  const rules = asArr(spec.rules);
  const defaultBackend = asObj(spec.defaultBackend);
  if (rules.length === 0 && defaultBackend === undefined) {
    errs.push(invalid('spec', rendered('[]networking.IngressRule(nil)'), 'either `defaultBackend` or `rules` must be specified'));
  }
  if (defaultBackend !== undefined) {
    errs.push(...validateBackend(defaultBackend, 'spec.defaultBackend'));
  }
  rules.forEach((raw, i) => {
    const rule = asObj(raw) ?? {};
    const p = index('spec.rules', i);
    const host = asStr(rule.host);
    if (host !== '') {
      errs.push(...validateHost(host, child(p, 'host')));
    }
    const http = asObj(rule.http);
    if (http === undefined) {
      return;
    }
    const paths = asArr(http.paths);
    if (paths.length === 0) {
      errs.push(required(child(p, 'http', 'paths'), ''));
    }
    paths.forEach((rawPath, j) => {
      const hp = asObj(rawPath) ?? {};
      const pp = index(child(p, 'http', 'paths'), j);
      const pathType = hp.pathType;
      const path = asStr(hp.path);
      if (pathType == null || pathType === '') {
        errs.push(required(child(pp, 'pathType'), 'pathType must be specified'));
      } else if (!pathTypes.includes(asStr(pathType))) {
        errs.push(notSupported(child(pp, 'pathType'), pathType, pathTypes));
      } else if (pathType === 'Exact' || pathType === 'Prefix') {
        if (!path.startsWith('/')) {
          errs.push(invalid(child(pp, 'path'), path, 'must be an absolute path'));
        }
        for (const seq of invalidPathSequences) {
          if (path.includes(seq)) {
            errs.push(invalid(child(pp, 'path'), path, `must not contain '${seq}'`));
          }
        }
        for (const suffix of invalidPathSuffixes) {
          if (path.endsWith(suffix)) {
            errs.push(invalid(child(pp, 'path'), path, `cannot end with '${suffix}'`));
          }
        }
      } else if (path !== '' && !path.startsWith('/')) {
        errs.push(invalid(child(pp, 'path'), path, 'must be an absolute path'));
      }
      errs.push(...validateBackend(asObj(hp.backend) ?? {}, child(pp, 'backend')));
    });
  });
  asArr(spec.tls).forEach((raw, i) => {
    asArr(asObj(raw)?.hosts).forEach((h, j) => {
      errs.push(...validateHost(asStr(h), index(child(index('spec.tls', i), 'hosts'), j)));
    });
  });
  const className = spec.ingressClassName;
  if (typeof className === 'string') {
    errs.push(...isDNS1123Subdomain(className).map((m) => invalid('spec.ingressClassName', className, m)));
  }
  return errs;
}

/** IngressClass: controller required (domain-prefixed path), immutable. */
export function validateIngressClass(ic: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = asObj(ic.spec) ?? {};
  const controller = asStr(spec.controller);
  const errs: FieldError[] = [];
  if (controller === '') {
    errs.push(required('spec.controller', ''));
  } else {
    const parts = controller.split('/');
    if (parts.length < 2 || parts[0] === '' || parts.slice(1).join('/') === '') {
      errs.push(invalid('spec.controller', controller, 'must be a domain-prefixed path (such as "acme.io/foo")'));
    } else {
      errs.push(...isDNS1123Subdomain(parts[0]).map((m) => invalid('spec.controller', parts[0], m)));
    }
    if (controller.length > 250) {
      errs.push({ type: 'FieldValueTooLong', field: 'spec.controller', message: 'Too long: may not be more than 250 bytes' });
    }
  }
  if (old !== undefined) {
    errs.push(...immutable('spec.controller', controller, asStr(asObj(old.spec)?.controller)));
  }
  return errs;
}

function isCIDR(s: string): boolean {
  const [ip, bits, ...rest] = s.split('/');
  const n = Number(bits);
  return rest.length === 0 && bits !== undefined && /^\d+$/.test(bits) && ((isIP(ip) === 4 && n <= 32) || (isIP(ip) === 6 && n <= 128));
}

function validatePeers(peers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(peers).forEach((raw, i) => {
    const peer = asObj(raw) ?? {};
    const p = index(path, i);
    const hasPod = peer.podSelector != null;
    const hasNs = peer.namespaceSelector != null;
    const block = asObj(peer.ipBlock);
    if (!hasPod && !hasNs && block === undefined) {
      errs.push(required(p, 'must specify a peer'));
    } else if (block !== undefined && (hasPod || hasNs)) {
      errs.push(forbidden(p, 'may not specify both ipBlock and another peer'));
    }
    if (hasPod) {
      errs.push(...validateLabelSelector(peer.podSelector, child(p, 'podSelector')));
    }
    if (hasNs) {
      errs.push(...validateLabelSelector(peer.namespaceSelector, child(p, 'namespaceSelector')));
    }
    if (block !== undefined) {
      const cidr = asStr(block.cidr);
      if (cidr === '') {
        errs.push(required(child(p, 'ipBlock', 'cidr'), ''));
      } else if (!isCIDR(cidr)) {
        errs.push(invalid(child(p, 'ipBlock', 'cidr'), cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
      }
    }
  });
  return errs;
}

function validatePolicyPorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(ports).forEach((raw, i) => {
    const port = asObj(raw) ?? {};
    const p = index(path, i);
    const protocol = port.protocol;
    if (protocol != null && !['TCP', 'UDP', 'SCTP'].includes(asStr(protocol))) {
      errs.push(notSupported(child(p, 'protocol'), protocol, ['TCP', 'UDP', 'SCTP']));
    }
    const value = port.port;
    if (typeof value === 'number') {
      errs.push(...isValidPortNum(value).map((m) => invalid(child(p, 'port'), value, m)));
      const end = port.endPort;
      if (typeof end === 'number' && end < value) {
        errs.push(invalid(child(p, 'endPort'), end, 'must be greater than or equal to `port`'));
      }
    } else if (typeof value === 'string') {
      errs.push(...isValidPortName(value).map((m) => invalid(child(p, 'port'), value, m)));
      if (port.endPort != null) {
        errs.push(forbidden(child(p, 'endPort'), 'may not be specified when `port` is non-numeric'));
      }
    } else if (port.endPort != null) {
      errs.push(required(child(p, 'port'), 'must be specified when `endPort` is specified'));
    }
  });
  return errs;
}

/** NetworkPolicy: selectors, peers, ports, policyTypes. */
export function validateNetworkPolicy(np: KubeObject): FieldError[] {
  const spec = asObj(np.spec) ?? {};
  const errs: FieldError[] = [];
  errs.push(...validateLabelSelector(spec.podSelector, 'spec.podSelector'));
  asArr(spec.ingress).forEach((raw, i) => {
    const rule = asObj(raw) ?? {};
    const p = index('spec.ingress', i);
    errs.push(...validatePolicyPorts(rule.ports, child(p, 'ports')));
    errs.push(...validatePeers(rule.from, child(p, 'from')));
  });
  asArr(spec.egress).forEach((raw, i) => {
    const rule = asObj(raw) ?? {};
    const p = index('spec.egress', i);
    errs.push(...validatePolicyPorts(rule.ports, child(p, 'ports')));
    errs.push(...validatePeers(rule.to, child(p, 'to')));
  });
  const types = asArr(spec.policyTypes);
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') {
      errs.push(notSupported(index('spec.policyTypes', i), t, ['Ingress', 'Egress']));
    }
  });
  if (types.length > 2) {
    errs.push(invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
  }
  return errs;
}
