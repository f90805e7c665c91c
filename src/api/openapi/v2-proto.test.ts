import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'yaml';
import { builtinResources } from '../resources/index.ts';
import { openApiV2, openApiV2Response } from './index.ts';
import { encodeOpenApiV2, gnosticDocumentType, OPENAPI_V2_PROTOBUF } from './v2-proto.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test-only document probing

const named = (list: Json[] | undefined, name: string): Json | undefined => list?.find((e) => e.name === name)?.value;

test('v2 protobuf: our bytes decode back into the gnostic Document kubectl reads', async () => {
  const bytes = await encodeOpenApiV2(openApiV2(builtinResources));
  // Wire check independent of our schema text: field 1 (swagger), length-delimited, "2.0".
  assert.deepEqual([...bytes.subarray(0, 5)], [0x0a, 3, ...Buffer.from('2.0')]);
  const type = await gnosticDocumentType();
  const doc = type.toObject(type.decode(bytes), { longs: Number }) as Json;
  assert.equal(doc.info.title, 'Kubernetes');
  const deployment = named(doc.definitions.additional_properties, 'io.k8s.api.apps.v1.Deployment');
  assert.ok(deployment !== undefined);
  assert.deepEqual(deployment.type.value, ['object']);
  assert.equal(named(deployment.properties.additional_properties, 'spec')?._ref, '#/definitions/io.k8s.api.apps.v1.DeploymentSpec');
  // kubectl finds a kind's schema by this vendor extension, kept as YAML text as gnostic does.
  assert.deepEqual(parse(named(deployment.vendor_extension, 'x-kubernetes-group-version-kind')?.yaml), [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  const containers = named(named(doc.definitions.additional_properties, 'io.k8s.api.core.v1.PodSpec')?.properties.additional_properties, 'containers');
  assert.equal(containers?.items.schema[0]._ref, '#/definitions/io.k8s.api.core.v1.Container');
  assert.deepEqual(containers?.type.value, ['array']);
  const labels = named(named(doc.definitions.additional_properties, 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')?.properties.additional_properties, 'labels');
  assert.deepEqual(labels?.additional_properties.schema.type.value, ['string']);
  const path = named(doc.paths.path, '/apis/apps/v1/namespaces/{namespace}/deployments/{name}');
  assert.equal(path?.patch.operation_id, 'patchAppsV1NamespacedDeployment');
  assert.equal(parse(named(path?.patch.vendor_extension, 'x-kubernetes-action')?.yaml), 'patch');
  const body = path?.put.parameters.find((p: Json) => p.parameter?.body_parameter !== undefined)?.parameter.body_parameter;
  assert.equal(body?.schema._ref, '#/definitions/io.k8s.api.apps.v1.Deployment');
  const query = path?.patch.parameters.map((p: Json) => p.parameter?.non_body_parameter?.query_parameter_sub_schema?.name).filter(Boolean);
  assert.ok(query.includes('fieldValidation'));
  assert.equal(named(path?.get.responses.response_code, '200')?.response.schema.schema._ref, '#/definitions/io.k8s.api.apps.v1.Deployment');
  assert.equal(named(doc.security_definitions.additional_properties, 'BearerToken')?.api_key_security.in, 'header');
});

test('v2 negotiation: protobuf for kubectl, JSON for JSON, 406 otherwise; ETags per representation and 304', async () => {
  const proto = await openApiV2Response(builtinResources, [{ type: OPENAPI_V2_PROTOBUF, params: {} }], undefined);
  assert.equal(proto?.status, 200);
  assert.equal(proto?.contentType, 'application/octet-stream');
  const json = await openApiV2Response(builtinResources, [{ type: 'application/json', params: {} }], undefined);
  assert.equal(JSON.parse(json?.body.toString() ?? '{}').swagger, '2.0');
  assert.match(proto?.headers.ETag ?? '', /^"[0-9A-F]{128}"$/);
  assert.notEqual(proto?.headers.ETag, json?.headers.ETag);
  const again = await openApiV2Response(builtinResources, [{ type: OPENAPI_V2_PROTOBUF, params: {} }], proto?.headers.ETag);
  assert.deepEqual([again?.status, again?.body.length], [304, 0]);
  assert.equal(await openApiV2Response(builtinResources, [{ type: 'application/vnd.kubernetes.protobuf', params: {} }], undefined), undefined);
});
