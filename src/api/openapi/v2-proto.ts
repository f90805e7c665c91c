/**
 * `/openapi/v2` as upstream serves it to kubectl: the swagger 2.0 document as a gnostic
 * `openapi.v2.Document` protobuf (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`),
 * or JSON, each with its own ETag, `If-None-Match` answered with 304. protobufjs is loaded on
 * first use only (most processes never encode this document).
 */
import { createHash } from 'node:crypto';
import type { Type } from 'protobufjs';
import { stringify } from 'yaml';
import { openApiV2Proto } from './v2-proto-schema.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The protobuf media type kubectl asks for (and its older spelling). */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const OPENAPI_V2_PROTOBUF_OLD = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

/** gnostic keeps values of free form (defaults, enums, examples, vendor extensions) as YAML text. */
const anyOf = (v: unknown): Json => ({ yaml: stringify(v) });
const vendorExtensions = (o: Json): Json[] => Object.entries(o).filter(([k]) => k.startsWith('x-')).map(([name, v]) => ({ name, value: anyOf(v) }));

function schema(s: Json): Json {
  const out: Json = {};
  const copy: Record<string, string> = {
    $ref: '_ref', format: 'format', title: 'title', description: 'description', multipleOf: 'multiple_of', maximum: 'maximum',
    exclusiveMaximum: 'exclusive_maximum', minimum: 'minimum', exclusiveMinimum: 'exclusive_minimum', maxLength: 'max_length',
    minLength: 'min_length', pattern: 'pattern', maxItems: 'max_items', minItems: 'min_items', uniqueItems: 'unique_items',
    maxProperties: 'max_properties', minProperties: 'min_properties', required: 'required', discriminator: 'discriminator', readOnly: 'read_only',
  };
  for (const [k, v] of Object.entries(s)) {
    if (copy[k] !== undefined) {
      out[copy[k]] = v;
    }
  }
  if (s.default !== undefined) {
    out.default = anyOf(s.default);
  }
  if (s.example !== undefined) {
    out.example = anyOf(s.example);
  }
  if (Array.isArray(s.enum)) {
    out.enum = s.enum.map(anyOf);
  }
  if (s.type !== undefined) {
    out.type = { value: Array.isArray(s.type) ? s.type : [s.type] };
  }
  if (isObject(s.items)) {
    out.items = { schema: [schema(s.items)] };
  } else if (Array.isArray(s.items)) {
    out.items = { schema: s.items.filter(isObject).map(schema) };
  }
  if (isObject(s.additionalProperties)) {
    out.additional_properties = { schema: schema(s.additionalProperties) };
  } else if (typeof s.additionalProperties === 'boolean') {
    out.additional_properties = { boolean: s.additionalProperties };
  }
  if (isObject(s.properties)) {
    out.properties = { additional_properties: Object.entries(s.properties).filter(([, v]) => isObject(v)).map(([name, v]) => ({ name, value: schema(v as Json) })) };
  }
  if (Array.isArray(s.allOf)) {
    out.all_of = s.allOf.filter(isObject).map(schema);
  }
  const ext = vendorExtensions(s);
  if (ext.length > 0) {
    out.vendor_extension = ext;
  }
  return out;
}

function parameter(p: Json): Json {
  if (typeof p.$ref === 'string') {
    return { json_reference: { _ref: p.$ref } };
  }
  if (p.in === 'body') {
    return { parameter: { body_parameter: { description: p.description, name: p.name, in: p.in, required: p.required, schema: isObject(p.schema) ? schema(p.schema) : undefined } } };
  }
  const sub = { required: p.required, in: p.in, description: p.description, name: p.name, type: p.type, format: p.format, unique_items: p.uniqueItems, vendor_extension: vendorExtensions(p) };
  const which = { header: 'header_parameter_sub_schema', formData: 'form_data_parameter_sub_schema', query: 'query_parameter_sub_schema', path: 'path_parameter_sub_schema' }[String(p.in)] ?? 'query_parameter_sub_schema';
  return { parameter: { non_body_parameter: { [which]: sub } } };
}

function operation(op: Json): Json {
  const responses = isObject(op.responses) ? op.responses : {};
  return {
    tags: op.tags, summary: op.summary, description: op.description, operation_id: op.operationId, produces: op.produces, consumes: op.consumes,
    parameters: Array.isArray(op.parameters) ? op.parameters.filter(isObject).map(parameter) : [],
    responses: {
      response_code: Object.entries(responses).filter(([, r]) => isObject(r)).map(([name, r]) => {
        const resp = r as Json;
        return { name, value: { response: { description: resp.description, schema: isObject(resp.schema) ? { schema: schema(resp.schema) } : undefined, vendor_extension: vendorExtensions(resp) } } };
      }),
    },
    schemes: op.schemes, deprecated: op.deprecated, vendor_extension: vendorExtensions(op),
  };
}

const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

/** The swagger 2.0 JSON document as a gnostic `openapi.v2.Document` object (proto field names). */
export function toGnosticDocument(doc: Json): Json {
  const paths = isObject(doc.paths) ? doc.paths : {};
  const definitions = isObject(doc.definitions) ? doc.definitions : {};
  const securityDefinitions = isObject(doc.securityDefinitions) ? doc.securityDefinitions : {};
  const info = isObject(doc.info) ? doc.info : {};
  return {
    swagger: doc.swagger,
    info: { title: info.title, version: info.version, description: info.description },
    paths: {
      path: Object.entries(paths).filter(([, p]) => isObject(p)).map(([name, p]) => {
        const item = p as Json;
        const value: Json = { parameters: Array.isArray(item.parameters) ? item.parameters.filter(isObject).map(parameter) : [], vendor_extension: vendorExtensions(item) };
        for (const m of methods) {
          if (isObject(item[m])) {
            value[m] = operation(item[m]);
          }
        }
        return { name, value };
      }),
    },
    definitions: { additional_properties: Object.entries(definitions).filter(([, d]) => isObject(d)).map(([name, d]) => ({ name, value: schema(d as Json) })) },
    security: Array.isArray(doc.security)
      ? doc.security.filter(isObject).map((req) => ({ additional_properties: Object.entries(req).map(([name, scopes]) => ({ name, value: { value: Array.isArray(scopes) ? scopes : [] } })) }))
      : [],
    security_definitions: {
      additional_properties: Object.entries(securityDefinitions).filter(([, d]) => isObject(d)).map(([name, d]) => {
        const def = d as Json;
        const value = def.type === 'basic'
          ? { basic_authentication_security: { type: def.type, description: def.description } }
          : { api_key_security: { type: def.type, name: def.name, in: def.in, description: def.description } };
        return { name, value };
      }),
    },
  };
}

let documentType: Type | undefined;

/** The `openapi.v2.Document` message type (parses the schema on first use). */
export async function gnosticDocumentType(): Promise<Type> {
  if (documentType === undefined) {
    const protobuf = (await import('protobufjs')).default;
    documentType = protobuf.parse(openApiV2Proto, { keepCase: true }).root.lookupType('openapi.v2.Document');
  }
  return documentType;
}

/** Encodes the swagger 2.0 JSON document as gnostic protobuf bytes. */
export async function encodeOpenApiV2(doc: Json): Promise<Buffer> {
  const type = await gnosticDocumentType();
  return Buffer.from(type.encode(type.fromObject(toGnosticDocument(doc))).finish());
}

/** One acceptable media range (as the apiserver's Accept parser yields them, best first). */
export interface AcceptedRange {
  readonly type: string;
  readonly params: Readonly<Record<string, string>>;
}

/** The representation to serve for an Accept header: protobuf, JSON, or none (406). */
export function negotiateOpenApiV2(accepted: readonly AcceptedRange[]): 'protobuf' | 'json' | undefined {
  for (const r of accepted) {
    if (r.params.as !== undefined) {
      continue;
    }
    if (r.type === OPENAPI_V2_PROTOBUF || r.type === OPENAPI_V2_PROTOBUF_OLD) {
      return 'protobuf';
    }
    if (r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*') {
      return 'json';
    }
  }
  return undefined;
}

/** A rendered representation with its quoted ETag (upstream: the upper-case hex SHA-512 of the bytes). */
export interface OpenApiV2Rendering {
  readonly contentType: string;
  readonly body: Buffer;
  readonly etag: string;
}

/** Renders `doc` in `format`, with its ETag. */
export async function renderOpenApiV2(doc: Json, format: 'protobuf' | 'json'): Promise<OpenApiV2Rendering> {
  const body = format === 'protobuf' ? await encodeOpenApiV2(doc) : Buffer.from(JSON.stringify(doc));
  const etag = `"${createHash('sha512').update(body).digest('hex').toUpperCase()}"`;
  // The protobuf media type has an '@', which Go's mime.ParseMediaType (client-go) rejects:
  // upstream's handler leaves the type to http.ServeContent, which sniffs application/octet-stream.
  return { contentType: format === 'protobuf' ? 'application/octet-stream' : 'application/json', body, etag };
}
