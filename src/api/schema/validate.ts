/**
 * Validation of custom resources against their structural schema, with upstream's messages
 * (kube-openapi's validator as apiextensions-apiserver reports it, `in body`).
 */
import type { FieldError } from '../errors.ts';
import { isPlainObject } from './node.ts';
import type { SchemaNode } from './node.ts';

/** JSON type name of a value, as the OpenAPI validator names it. */
function jsonType(v: unknown): string {
  if (v === null) {
    return 'null';
  }
  if (Array.isArray(v)) {
    return 'array';
  }
  if (typeof v === 'number') {
    return Number.isInteger(v) ? 'integer' : 'number';
  }
  return typeof v;
}

/** Renders a bad value as apimachinery's field.Error does (%q strings, %v numbers, JSON otherwise). */
export function renderValue(v: unknown): string {
  if (typeof v === 'string') {
    return JSON.stringify(v);
  }
  if (typeof v === 'number' || typeof v === 'boolean') {
    return String(v);
  }
  return JSON.stringify(v) ?? 'null';
}

function typeMatches(expected: string, v: unknown, nullable: boolean): boolean {
  if (v === null) {
    return nullable;
  }
  const actual = jsonType(v);
  return expected === actual || (expected === 'number' && actual === 'integer');
}

const dateTime = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/;
const formatCheckers: Record<string, (s: string) => boolean> = {
  'date-time': (s) => dateTime.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  byte: (s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0,
  uuid: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  ipv4: (s) => /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(s),
  hostname: (s) => s.length <= 255 && /^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/.test(s),
  email: (s) => /^[^@\s]+@[^@\s]+$/.test(s),
};

function invalid(path: string, value: unknown, detail: string, type: FieldError['type'] = 'FieldValueInvalid'): FieldError {
  return { type, field: path, message: `Invalid value: ${renderValue(value)}: ${detail}` };
}

/** Appends every violation of `node` by `value` at `path` (the value's field path). */
export function validateNode(node: SchemaNode, value: unknown, path: string, out: FieldError[]): void {
  const where = `${path === '' ? '.' : path} in body`;
  const intOrString = node['x-kubernetes-int-or-string'] === true;
  const nullable = node.nullable === true;
  if (value === null && nullable) {
    return;
  }
  if (intOrString) {
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
      out.push({ type: 'FieldValueTypeInvalid', field: path, message: `Invalid value: ${renderValue(jsonType(value))}: ${where} must be of type integer,string: ${renderValue(jsonType(value))}` });
      return;
    }
  } else if (typeof node.type === 'string' && !typeMatches(node.type, value, nullable)) {
    const actual = jsonType(value);
    out.push({ type: 'FieldValueTypeInvalid', field: path, message: `Invalid value: ${renderValue(actual)}: ${where} must be of type ${node.type}: ${renderValue(actual)}` });
    return;
  }
  if (Array.isArray(node.enum) && !node.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    const supported = node.enum.map((e) => JSON.stringify(typeof e === 'string' ? e : JSON.stringify(e))).join(', ');
    out.push({ type: 'FieldValueNotSupported', field: path, message: `Unsupported value: ${renderValue(value)}: supported values: ${supported}` });
  }
  if (typeof value === 'number') {
    validateNumber(node, value, path, where, out);
  } else if (typeof value === 'string') {
    validateString(node, value, path, where, out);
  } else if (Array.isArray(value)) {
    if (isPlainObject(node.items)) {
      value.forEach((item, i) => validateNode(node.items as SchemaNode, item, `${path}[${i}]`, out));
    }
    if (typeof node.minItems === 'number' && value.length < node.minItems) {
      out.push(invalid(path, value.length, `${where} should have at least ${node.minItems} items`));
    }
    if (typeof node.maxItems === 'number' && value.length > node.maxItems) {
      out.push({ type: 'FieldValueTooMany', field: path, message: `Too many: ${value.length}: must have at most ${node.maxItems} ${node.maxItems === 1 ? 'item' : 'items'}` });
    }
    if (node.uniqueItems === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) {
      out.push(invalid(path, '', `${where} shouldn't contain duplicates`));
    }
  } else if (isPlainObject(value)) {
    validateObject(node, value, path, where, out);
  }
}

function validateNumber(node: SchemaNode, value: number, path: string, where: string, out: FieldError[]): void {
  if (typeof node.minimum === 'number') {
    const exclusive = node.exclusiveMinimum === true;
    if (exclusive ? value <= node.minimum : value < node.minimum) {
      out.push(invalid(path, value, `${where} should be greater than ${exclusive ? '' : 'or equal to '}${node.minimum}`));
    }
  }
  if (typeof node.maximum === 'number') {
    const exclusive = node.exclusiveMaximum === true;
    if (exclusive ? value >= node.maximum : value > node.maximum) {
      out.push(invalid(path, value, `${where} should be less than ${exclusive ? '' : 'or equal to '}${node.maximum}`));
    }
  }
  if (typeof node.multipleOf === 'number' && node.multipleOf > 0 && !Number.isInteger(value / node.multipleOf)) {
    out.push(invalid(path, value, `${where} should be a multiple of ${node.multipleOf}`));
  }
}

function validateString(node: SchemaNode, value: string, path: string, where: string, out: FieldError[]): void {
  const length = [...value].length;
  if (typeof node.minLength === 'number' && length < node.minLength) {
    out.push(invalid(path, value, `${where} should be at least ${node.minLength} chars long`));
  }
  if (typeof node.maxLength === 'number' && length > node.maxLength) {
    out.push({ type: 'FieldValueTooLong', field: path, message: `Too long: may not be more than ${node.maxLength} ${node.maxLength === 1 ? 'byte' : 'bytes'}` });
  }
  if (typeof node.pattern === 'string') {
    let re: RegExp | undefined;
    try {
      re = new RegExp(node.pattern, 'u');
    } catch {
      re = undefined;
    }
    if (re !== undefined && !re.test(value)) {
      out.push(invalid(path, value, `${where} should match '${node.pattern}'`));
    }
  }
  const check = typeof node.format === 'string' ? formatCheckers[node.format] : undefined;
  if (check !== undefined && !check(value)) {
    out.push({ type: 'FieldValueTypeInvalid', field: path, message: `Invalid value: ${renderValue(value)}: ${where} must be of type ${String(node.format)}: ${renderValue(value)}` });
  }
}

function validateObject(node: SchemaNode, value: Record<string, unknown>, path: string, where: string, out: FieldError[]): void {
  const join = (k: string): string => (path === '' ? k : `${path}.${k}`);
  for (const r of node.required ?? []) {
    if (!(r in value)) {
      out.push({ type: 'FieldValueRequired', field: join(r), message: 'Required value' });
    }
  }
  const props = node.properties ?? {};
  for (const [k, v] of Object.entries(value)) {
    const prop = props[k];
    if (prop !== undefined) {
      // metadata is ObjectMeta, validated by the registry, not by the CRD schema.
      if (typeof prop.$ref !== 'string') {
        validateNode(prop, v, join(k), out);
      }
    } else if (isPlainObject(node.additionalProperties)) {
      validateNode(node.additionalProperties, v, join(k), out);
    }
  }
  const count = Object.keys(value).length;
  if (typeof node.minProperties === 'number' && count < node.minProperties) {
    out.push(invalid(path, count, `${where} should have at least ${node.minProperties} properties`));
  }
  if (typeof node.maxProperties === 'number' && count > node.maxProperties) {
    out.push({ type: 'FieldValueTooMany', field: path, message: `Too many: ${count}: must have at most ${node.maxProperties} ${node.maxProperties === 1 ? 'item' : 'items'}` });
  }
}
