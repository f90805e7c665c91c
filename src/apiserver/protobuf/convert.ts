/**
 * From decoded protobuf to Kubernetes JSON, driven by the schema. Go's generated protobuf writes
 * every non-pointer field, zero or not, while Go's JSON omits empty values (omitempty); so zero
 * scalars are dropped unless the field is marked `(keep)` (a Go pointer: present means set, as
 * `gracePeriodSeconds: 0` or `immutable: false`). Messages are kept when present, as Go's JSON
 * keeps structs; `(inline)` messages are lifted into their parent. A few apimachinery types have
 * JSON forms of their own: Time, MicroTime, IntOrString, Quantity, FieldsV1, and Go named slices
 * (ExtraValue) are plain lists.
 */
import type protobuf from 'protobufjs';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go's zero time.Time marshals as this many seconds; it means "unset" (JSON null). */
const GO_ZERO_TIME_SECONDS = -62135596800;

/**
 * metav1.Time → RFC 3339 in UTC with seconds precision, or undefined for the zero time, which
 * upstream marshals as an empty message (older encoders: Go's zero seconds).
 */
export function timeToJson(t: Obj): string | undefined {
  const seconds = t.seconds;
  if (typeof seconds !== 'number' || seconds === GO_ZERO_TIME_SECONDS) {
    return undefined;
  }
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** metav1.MicroTime → RFC 3339 in UTC with microseconds, or undefined for the zero time. */
function microTimeToJson(t: Obj): string | undefined {
  const seconds = t.seconds;
  if (typeof seconds !== 'number' || seconds === GO_ZERO_TIME_SECONDS) {
    return undefined;
  }
  const micros = Math.floor((typeof t.nanos === 'number' ? t.nanos : 0) / 1000);
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, `.${String(micros).padStart(6, '0')}Z`);
}

/**
 * IntOrString → number or string. The zero value (type 0, 0) is "unset" for a plain field, but
 * a `(keep)` one is a Go pointer: present means set, so it is 0 (`maxUnavailable: 0`).
 */
function intOrStringToJson(v: Obj, keep: boolean): number | string | undefined {
  if (v.type === 1) {
    return typeof v.strVal === 'string' ? v.strVal : '';
  }
  const n = typeof v.intVal === 'number' ? v.intVal : 0;
  return n === 0 && !keep ? undefined : n;
}

/** Special JSON forms by message name; undefined means "omit". */
const specialForms: Readonly<Record<string, (v: Obj, keep: boolean) => unknown>> = {
  Time: timeToJson,
  MicroTime: microTimeToJson,
  IntOrString: intOrStringToJson,
  Quantity: (v) => (typeof v.string === 'string' ? v.string : '0'),
  // FieldsV1.Raw holds the field set's JSON text.
  FieldsV1: (v) => (typeof v.Raw === 'string' && v.Raw !== '' ? (JSON.parse(Buffer.from(v.Raw, 'base64').toString('utf8')) as unknown) : {}),
};

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function messageValue(type: protobuf.Type, v: unknown, keep = false): unknown {
  if (!isObj(v)) {
    return undefined;
  }
  // A Go named slice (ExtraValue): a message on the wire, a plain list in JSON.
  if (type.options?.['(items)'] === true) {
    return Array.isArray(v.items) ? v.items : [];
  }
  const special = specialForms[type.name];
  return special !== undefined ? special(v, keep) : messageToJson(type, v);
}

/** Converts protobufjs' plain object for `type` (toObject with defaults off) to Kubernetes JSON. */
export function messageToJson(type: protobuf.Type, value: Obj): Obj {
  const out: Obj = {};
  for (const field of type.fieldsArray) {
    const v = value[field.name];
    if (v === undefined || v === null) {
      continue;
    }
    field.resolve();
    const msgType = field.resolvedType !== null && 'fieldsArray' in field.resolvedType ? (field.resolvedType as protobuf.Type) : undefined;
    const keep = field.options?.['(keep)'] === true;
    if (field.map) {
      if (!isObj(v) || Object.keys(v).length === 0) {
        continue;
      }
      const entries = Object.entries(v).map(([k, x]) => [k, msgType !== undefined ? messageValue(msgType, x) : x] as const);
      out[field.name] = Object.fromEntries(entries.filter(([, x]) => x !== undefined));
    } else if (field.repeated) {
      if (!Array.isArray(v) || v.length === 0) {
        continue;
      }
      out[field.name] = msgType !== undefined ? v.map((x) => messageValue(msgType, x) ?? null) : v;
    } else if (msgType !== undefined) {
      const converted = messageValue(msgType, v, keep);
      if (converted === undefined) {
        continue;
      }
      if (field.options?.['(inline)'] === true && isObj(converted)) {
        Object.assign(out, converted);
      } else {
        out[field.name] = converted;
      }
    } else if (keep || !isZero(v)) {
      out[field.name] = v;
    }
  }
  return out;
}
