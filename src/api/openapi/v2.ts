/** The swagger 2.0 document of every served resource, shaped like upstream's /openapi/v2 (JSON). */
import type { ResourceDescription } from '../resource.ts';
import { DefinitionSource, toV2 } from './definitions.ts';
import { metaPkg, resourcePaths } from './operations.ts';
import type { OperationSpec, PathSpec, ResponseSpec } from './operations.ts';
import type { ParameterSpec } from './parameters.ts';

const ref = (name: string): { $ref: string } => ({ $ref: `#/definitions/${name}` });

function parameter(p: ParameterSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { uniqueItems: true, type: p.type, description: p.description, name: p.name, in: p.in };
  if (p.required === true) {
    out.required = true;
  }
  return out;
}

function response(r: ResponseSpec): Record<string, unknown> {
  if (r.schema === undefined) {
    return { description: r.description };
  }
  return { description: r.description, schema: 'definition' in r.schema ? ref(r.schema.definition) : { type: 'string' } };
}

function operation(op: OperationSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { description: op.description };
  out.consumes = op.body?.patch === true ? ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'].filter((m) => op.body?.strategic !== false || m !== 'application/strategic-merge-patch+json') : ['*/*'];
  const streaming = Object.values(op.responses).some((r) => r.stream === true);
  out.produces = streaming
    ? ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch']
    : ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
  out.schemes = ['https'];
  out.tags = [op.tag];
  out.operationId = op.operationId;
  const params = op.parameters.map(parameter);
  if (op.body !== undefined) {
    params.unshift({ name: 'body', in: 'body', required: op.action !== 'delete' && op.action !== 'deletecollection', schema: ref(op.body.definition) });
  }
  if (params.length > 0) {
    out.parameters = params;
  }
  out.responses = Object.fromEntries(Object.entries(op.responses).map(([code, r]) => [code, response(r)]));
  out['x-kubernetes-action'] = op.action;
  if (op.gvk !== undefined) {
    out['x-kubernetes-group-version-kind'] = { group: op.gvk.group, kind: op.gvk.kind, version: op.gvk.version };
  }
  return out;
}

function pathItem(p: PathSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const op of p.operations) {
    out[op.method] = operation(op);
  }
  out.parameters = p.parameters.map(parameter);
  return out;
}

/** Builds the swagger 2.0 document for all served resources. */
export function buildV2Document(resources: readonly ResourceDescription[], version: string): Record<string, unknown> {
  const source = new DefinitionSource(resources);
  const roots = new Set<string>([`${metaPkg}.APIResourceList`, `${metaPkg}.DeleteOptions`, `${metaPkg}.Status`, `${metaPkg}.WatchEvent`, `${metaPkg}.Patch`]);
  const paths: Record<string, unknown> = {};
  const specs = resources.flatMap((r) => resourcePaths(r, (gvk) => source.nameOf(gvk)));
  for (const spec of specs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    paths[spec.path] = pathItem(spec);
    for (const op of spec.operations) {
      if (op.body !== undefined) {
        roots.add(op.body.definition);
      }
      for (const r of Object.values(op.responses)) {
        if (r.schema !== undefined && 'definition' in r.schema) {
          roots.add(r.schema.definition);
        }
      }
    }
  }
  const definitions: Record<string, unknown> = {};
  for (const [name, def] of source.collect(roots)) {
    definitions[name] = toV2(def);
  }
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version },
    paths,
    definitions,
    securityDefinitions: { BearerToken: { description: 'Bearer Token authentication', type: 'apiKey', name: 'authorization', in: 'header' } },
    security: [{ BearerToken: [] }],
  };
}
