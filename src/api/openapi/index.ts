/**
 * OpenAPI documents served by the API server, built from the schema registry and the
 * served resources. The schema module owns this folder; these first bodies serve the
 * minimal v3 documents that satisfied kubectl's field-validation check (API-SURFACE.md §4).
 */
import { apiVersionOf } from '../object.ts';
import type { ResourceDescription } from '../resource.ts';

/** `/openapi/v3`: `{paths: {"api/v1": {serverRelativeURL}, "apis/apps/v1": ...}}`. */
export function openApiV3Index(resources: readonly ResourceDescription[]): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const r of resources) {
    const gv = r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`;
    paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=0` };
  }
  return { paths };
}

/** `/openapi/v3/<api/v1|apis/g/v>`; undefined when no served resource is in that group-version. */
export function openApiV3Document(groupVersionPath: string, resources: readonly ResourceDescription[]): Record<string, unknown> | undefined {
  const inGv = resources.filter((r) => (r.group === '' ? `api/${r.version}` : `apis/${r.group}/${r.version}`) === groupVersionPath);
  if (inGv.length === 0) {
    return undefined;
  }
  const paths: Record<string, unknown> = {};
  for (const r of inGv) {
    const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
    const item = r.namespaced ? `${base}/namespaces/{namespace}/${r.resource}/{name}` : `${base}/${r.resource}/{name}`;
    paths[item] = {
      patch: {
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
        parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string' } }],
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: apiVersionOf('', 'v1.35.0') }, paths, components: { schemas: {} } };
}
