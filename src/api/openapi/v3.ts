/** OpenAPI v3 documents per group-version, shaped like upstream's /openapi/v3/<gv>. */
import type { ResourceDescription } from '../resource.ts';
import { DefinitionSource, toV3 } from './definitions.ts';
import { groupVersionPath, operationGroupVersion, operationTag, urlBase } from './naming.ts';
import { metaPkg, resourcePaths } from './operations.ts';
import type { OperationSpec, PathSpec, ResponseSpec } from './operations.ts';
import type { ParameterSpec } from './parameters.ts';

const objectMedia = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const streamMedia = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const patchMedia = ['application/apply-patch+yaml', 'application/apply-patch+cbor', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` });

function parameter(p: ParameterSpec): Record<string, unknown> {
  const schema: Record<string, unknown> = { type: p.type };
  if (p.type === 'string' && p.in === 'query') {
    schema.uniqueItems = true;
  }
  const out: Record<string, unknown> = { name: p.name, in: p.in, description: p.description };
  if (p.required === true) {
    out.required = true;
  }
  out.schema = schema;
  return out;
}

function response(r: ResponseSpec): Record<string, unknown> {
  if (r.schema === undefined) {
    return { description: r.description };
  }
  const schema = 'definition' in r.schema ? ref(r.schema.definition) : { type: 'string' };
  const media = 'definition' in r.schema ? (r.stream === true ? streamMedia : objectMedia) : ['*/*'];
  return { description: r.description, content: Object.fromEntries(media.map((m) => [m, { schema }])) };
}

function operation(op: OperationSpec): Record<string, unknown> {
  const out: Record<string, unknown> = { tags: [op.tag], description: op.description, operationId: op.operationId };
  if (op.parameters.length > 0) {
    out.parameters = op.parameters.map(parameter);
  }
  if (op.body !== undefined) {
    const media = op.body.patch === true ? patchMedia.filter((m) => op.body?.strategic !== false || m !== 'application/strategic-merge-patch+json') : ['*/*'];
    out.requestBody = { content: Object.fromEntries(media.map((m) => [m, { schema: ref(op.body!.definition) }])), required: op.action !== 'delete' && op.action !== 'deletecollection' };
  }
  out.responses = Object.fromEntries(Object.entries(op.responses).map(([code, r]) => [code, response(r)]));
  out['x-kubernetes-action'] = op.action;
  if (op.gvk !== undefined) {
    // Operations carry the GVK as an object (kubectl's field-validation check needs exactly that).
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

/** Builds the v3 document of one group-version from its served resources. */
export function buildV3Document(gvPath: string, resources: readonly ResourceDescription[], version: string): Record<string, unknown> {
  const first = resources[0];
  const source = new DefinitionSource(resources);
  const paths: Record<string, unknown> = {};
  const roots = new Set<string>([`${metaPkg}.APIResourceList`, `${metaPkg}.DeleteOptions`, `${metaPkg}.Status`, `${metaPkg}.WatchEvent`, `${metaPkg}.Patch`]);
  if (first !== undefined) {
    paths[`${urlBase(first)}/`] = {
      get: {
        tags: [operationTag(first.group, first.version)], description: 'get available resources', operationId: `get${operationGroupVersion(first.group, first.version)}APIResources`,
        responses: { '200': response({ description: 'OK', schema: { definition: `${metaPkg}.APIResourceList` } }), '401': { description: 'Unauthorized' } },
      },
    };
  }
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
  const schemas: Record<string, unknown> = {};
  for (const [name, def] of source.collect(roots)) {
    schemas[name] = toV3(def);
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version },
    paths,
    components: {
      schemas,
      securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } },
    },
  };
}

/** The `/openapi/v3` key of a resource's group-version. */
export function gvPathOf(r: Pick<ResourceDescription, 'group' | 'version'>): string {
  return groupVersionPath(r.group, r.version);
}
