/** `kubectl create ingress NAME --rule=host/path=svc:port[,tls[=secret]]` (networking.k8s.io/v1), built as upstream's create_ingress does. */
import { CliError } from '../command.ts';
import type { Generator, JsonObject } from './types.ts';
import { list, objectMeta, sortedMap, str } from './types.ts';

/** host, then a path starting with '/', '=', service name, ':', port; optionally `,tls` or `,tls=secret`. */
const ruleRegex = /^[\w*\-.]*\/[^,=\n]*=[\w-]+:[\w-]+(,tls=?[\w-]*)?$/;

/** intstr.Parse: a decimal int32 is a number, anything else a name. */
function backendPort(port: string): JsonObject {
  return /^-?\d+$/.test(port) && Number(port) <= 2147483647 && Number(port) >= -2147483648 ? (Number(port) === 0 ? {} : { number: Number(port) }) : port === '' ? {} : { name: port };
}

function backend(service: string): JsonObject {
  const [name, port] = service.split(':');
  return { service: { name, port: backendPort(port ?? '') } };
}

function httpPath(pathSvc: string): JsonObject {
  const [p, service] = pathSvc.split('=');
  let path = `/${p}`;
  let pathType = 'Exact';
  // a trailing '*' makes the path a prefix
  if (path.endsWith('*')) {
    pathType = 'Prefix';
    path = path.slice(0, -1);
  }
  return { path, pathType, backend: backend(service ?? '') };
}

function tlsRules(rules: readonly string[]): JsonObject[] {
  const seenHosts = new Set<string>();
  const out: { hosts?: string[]; secretName?: string }[] = [];
  for (const rule of rules) {
    const parts = rule.split(',');
    if (parts.length !== 2) {
      continue;
    }
    const host = rule.split('/')[0];
    const secretParts = parts[1].split('=');
    const secret = secretParts.length > 1 ? secretParts[1] : '';
    if (seenHosts.has(host)) {
      continue;
    }
    seenHosts.add(host);
    // a host joins the entry for the same secret (the first entry without a secret for plain `tls`)
    const same = out.find((t) => (t.secretName ?? '') === secret);
    if (same !== undefined) {
      (same.hosts ??= []).push(host);
      continue;
    }
    const tls: { hosts?: string[]; secretName?: string } = {};
    if (host !== '') {
      tls.hosts = [host];
    }
    if (secret !== '') {
      tls.secretName = secret;
    }
    if (tls.hosts !== undefined || tls.secretName !== undefined) {
      out.push(tls);
    }
  }
  return out;
}

function ingressRules(rules: readonly string[]): JsonObject[] {
  const out: { host?: string; http: { paths: JsonObject[] } }[] = [];
  for (const rule of rules) {
    const withoutTls = rule.split(',')[0];
    const slash = withoutTls.indexOf('/');
    const host = withoutTls.slice(0, slash);
    const path = httpPath(withoutTls.slice(slash + 1));
    const existing = out.find((r) => (r.host ?? '') === host);
    if (existing !== undefined) {
      existing.http.paths.push(path);
      continue;
    }
    out.push(host === '' ? { http: { paths: [path] } } : { host, http: { paths: [path] } });
  }
  return out;
}

/** `kubectl create ingress`. */
export const ingressGenerator: Generator = {
  name: 'ingress',
  aliases: ['ing'],
  use: 'ingress NAME --rule=host/path=service:port[,tls[=secret]] ',
  short: 'Create an ingress with the specified name',
  flags: [
    { name: 'annotation', type: 'stringArray', default: [], usage: 'Annotation to insert in the ingress object, in the format annotation=value' },
    { name: 'class', type: 'string', usage: 'Ingress Class to be used' },
    { name: 'default-backend', type: 'string', usage: 'Default service for backend, in format of svcname:port' },
    { name: 'rule', type: 'stringArray', default: [], usage: "Rule in format host/path=service:port[,tls=secretname]. Paths containing the leading character '*' are considered pathType=Prefix. tls argument is optional." },
  ],
  target: { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', namespaced: true },
  errorNoun: 'ingress',
  generate(input) {
    const rules = list(input.flags, 'rule');
    const annotations = list(input.flags, 'annotation');
    const defaultBackend = str(input.flags, 'default-backend');
    if (defaultBackend === '' && rules.length === 0) {
      throw new CliError('not enough information provided: every ingress has to either specify a default-backend (which catches all traffic) or a list of rules (which catch specific paths)');
    }
    for (const rule of rules) {
      if (!ruleRegex.test(rule)) {
        throw new CliError(`rule ${rule} is invalid and should be in format host/path=svcname:svcport[,tls[=secret]]`);
      }
    }
    for (const a of annotations) {
      if (!a.includes('=')) {
        throw new CliError(`annotation ${a} is invalid and should be in format key=[value]`);
      }
    }
    if (defaultBackend !== '' && defaultBackend.split(':').length !== 2) {
      throw new CliError('default-backend should be in format servicename:serviceport');
    }
    const meta = objectMeta(input.name, input.enforcedNamespace);
    if (annotations.length > 0) {
      meta.annotations = sortedMap(annotations.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] as const));
    }
    const spec: JsonObject = {};
    const ingressClass = str(input.flags, 'class');
    if (ingressClass !== '') {
      spec.ingressClassName = ingressClass;
    }
    if (defaultBackend !== '') {
      spec.defaultBackend = backend(defaultBackend);
    }
    const tls = tlsRules(rules);
    if (tls.length > 0) {
      spec.tls = tls;
    }
    const built = ingressRules(rules);
    if (built.length > 0) {
      spec.rules = built;
    }
    return Promise.resolve({ kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', metadata: meta, spec, status: { loadBalancer: {} } });
  },
};
