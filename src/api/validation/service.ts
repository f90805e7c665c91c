/** Service validation (ValidateService, ValidateServiceUpdate). */
import { isIP } from 'node:net';
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { validatePortNumOrName } from './container.ts';
import { asArr, asObj, asStr, child, duplicate, forbidden, goQuote, index, invalid, notSupported, rendered, required } from './field.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum } from './names.ts';
import { validateLabels } from './objectmeta.ts';

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const protocols = ['SCTP', 'TCP', 'UDP'];
const ipErrorMsg = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

function goServicePort(protocol: string, port: unknown): string {
  return `core.ServicePort{Name:"", Protocol:${goQuote(protocol)}, AppProtocol:(*string)(nil), Port:${String(port)}, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}`;
}

/** Service spec rules: ports, type, selector, affinity, cluster IPs, traffic policies. */
export function validateService(svc: KubeObject, old: KubeObject | undefined): FieldError[] {
  const spec = asObj(svc.spec) ?? {};
  const errs: FieldError[] = [];
  const type = asStr(spec.type);
  const clusterIPs = asArr(spec.clusterIPs).map(asStr);
  const headless = clusterIPs.length > 0 ? clusterIPs[0] === 'None' : spec.clusterIP === 'None';
  const ports = asArr(spec.ports).map((p) => asObj(p) ?? {});
  if (ports.length === 0 && !headless && type !== 'ExternalName') {
    errs.push(required('spec.ports', ''));
  }
  if ((type === 'LoadBalancer' || type === 'NodePort') && headless) {
    errs.push(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
  }
  if (type === 'ExternalName') {
    if (clusterIPs.length > 0 || asStr(spec.clusterIP) !== '') {
      errs.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    }
    if (asArr(spec.ipFamilies).length > 0) {
      errs.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    }
    if (spec.ipFamilyPolicy != null) {
      errs.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    }
    const cname = asStr(spec.externalName).replace(/\.$/, '');
    if (cname === '') {
      errs.push(required('spec.externalName', ''));
    } else {
      errs.push(...isDNS1123Subdomain(cname).map((m) => invalid('spec.externalName', cname, m)));
    }
  }
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = index('spec.ports', i);
    const name = asStr(port.name);
    if (ports.length > 1 && name === '') {
      errs.push(required(child(p, 'name'), ''));
    } else if (name !== '') {
      errs.push(...isDNS1123Label(name).map((m) => invalid(child(p, 'name'), name, m)));
      if (names.has(name)) {
        errs.push(duplicate(child(p, 'name'), name));
      }
      names.add(name);
    }
    const portNum = typeof port.port === 'number' ? port.port : 0;
    errs.push(...isValidPortNum(portNum).map((m) => invalid(child(p, 'port'), portNum, m)));
    const protocol = asStr(port.protocol);
    if (protocol === '') {
      errs.push(required(child(p, 'protocol'), ''));
    } else if (!protocols.includes(protocol)) {
      errs.push(notSupported(child(p, 'protocol'), protocol, protocols));
    }
    errs.push(...validatePortNumOrName(port.targetPort, child(p, 'targetPort')));
    if (typeof port.appProtocol === 'string') {
      const ap = port.appProtocol;
      errs.push(...isQualifiedName(ap).map((m) => invalid(child(p, 'appProtocol'), ap, m)));
    }
  });
  if (spec.selector != null) {
    errs.push(...validateLabels(spec.selector, 'spec.selector'));
  }
  const affinity = asStr(spec.sessionAffinity);
  if (affinity === '') {
    errs.push(required('spec.sessionAffinity', ''));
  } else if (affinity !== 'ClientIP' && affinity !== 'None') {
    errs.push(notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  } else if (affinity === 'None' && spec.sessionAffinityConfig != null) {
    errs.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  } else if (affinity === 'ClientIP') {
    const timeout = asObj(asObj(asObj(spec.sessionAffinityConfig)?.clientIP))?.timeoutSeconds;
    if (typeof timeout === 'number' && (timeout <= 0 || timeout > 86400)) {
      errs.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, 'must be greater than 0 and less than 86400'));
    }
  }
  if (type !== 'ExternalName') {
    const clusterIP = asStr(spec.clusterIP);
    if (clusterIP !== '') {
      if (clusterIPs.length === 0) {
        errs.push(required('spec.clusterIPs', ''));
      } else if (clusterIPs[0] !== clusterIP) {
        errs.push(invalid('spec.clusterIPs', clusterIPs, 'first value must match `clusterIP`'));
      }
    } else if (clusterIPs.length > 0) {
      errs.push(invalid('spec.clusterIPs', clusterIPs, 'must be empty when `clusterIP` is not specified'));
    }
    clusterIPs.forEach((ip, i) => {
      if (ip === 'None') {
        if (i === 0 && clusterIPs.length > 1) {
          errs.push(invalid('spec.clusterIPs', clusterIPs, "'None' must be the first and only value"));
        }
      } else if (isIP(ip) === 0) {
        errs.push(invalid(index('spec.clusterIPs', i), ip, ipErrorMsg));
      }
    });
    asArr(spec.ipFamilies).forEach((f, i) => {
      if (f !== 'IPv4' && f !== 'IPv6') {
        errs.push(notSupported(index('spec.ipFamilies', i), f, ['IPv4', 'IPv6']));
      }
    });
    const policy = spec.ipFamilyPolicy;
    if (policy != null && !['SingleStack', 'PreferDualStack', 'RequireDualStack'].includes(asStr(policy))) {
      errs.push(notSupported('spec.ipFamilyPolicy', policy, ['SingleStack', 'PreferDualStack', 'RequireDualStack']));
    }
  }
  asArr(spec.externalIPs).forEach((ip, i) => {
    if (isIP(asStr(ip)) === 0) {
      errs.push(invalid(index('spec.externalIPs', i), asStr(ip), ipErrorMsg));
    }
  });
  if (type === '') {
    errs.push(required('spec.type', ''));
  } else if (!serviceTypes.includes(type)) {
    errs.push(notSupported('spec.type', type, serviceTypes));
  }
  const nodePorts = new Set<string>();
  const seenPorts = new Set<string>();
  ports.forEach((port, i) => {
    const p = index('spec.ports', i);
    const nodePort = port.nodePort;
    if (typeof nodePort === 'number' && nodePort !== 0) {
      if (type === 'ClusterIP') {
        errs.push(forbidden(child(p, 'nodePort'), "may not be used when `type` is 'ClusterIP'"));
      }
      const k = `${asStr(port.protocol)}/${nodePort}`;
      if (nodePorts.has(k)) {
        errs.push(duplicate(child(p, 'nodePort'), nodePort));
      }
      nodePorts.add(k);
    }
    const k = `${asStr(port.protocol)}/${String(port.port)}`;
    if (seenPorts.has(k)) {
      errs.push(duplicate(p, rendered(goServicePort(asStr(port.protocol), port.port))));
    }
    seenPorts.add(k);
  });
  const etp = spec.externalTrafficPolicy;
  if (etp != null && etp !== '') {
    if (type !== 'NodePort' && type !== 'LoadBalancer') {
      errs.push(invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
    } else if (etp !== 'Cluster' && etp !== 'Local') {
      errs.push(notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
    }
  }
  const itp = spec.internalTrafficPolicy;
  if (itp != null && itp !== 'Cluster' && itp !== 'Local') {
    errs.push(notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']));
  }
  if (old !== undefined) {
    const oldSpec = asObj(old.spec) ?? {};
    const oldType = asStr(oldSpec.type);
    // Cluster IPs may not change once set, except when moving to or from ExternalName.
    if (type !== 'ExternalName' && oldType !== 'ExternalName') {
      const oldIPs = asArr(oldSpec.clusterIPs).map(asStr);
      oldIPs.forEach((ip, i) => {
        if (i < clusterIPs.length && ip !== clusterIPs[i]) {
          errs.push(invalid(index('spec.clusterIPs', i), clusterIPs, 'may not change once set'));
        }
      });
      if (oldIPs.length > 0 && clusterIPs.length === 0) {
        errs.push(invalid('spec.clusterIPs[0]', clusterIPs, 'primary clusterIP can not be unset'));
      }
    }
  }
  return errs;
}
