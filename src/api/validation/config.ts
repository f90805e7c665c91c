/** ConfigMap and Secret validation (keys, 1 MiB total, secret types, immutability). */
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../object.ts';
import { asObj, asStr, deepEqual, forbidden, invalid, key, required, tooLong } from './field.ts';
import { byteLength, isConfigMapKey } from './names.ts';

/** core.MaxSecretSize: the data limit shared by ConfigMaps and Secrets. */
export const MaxSecretSize = 1024 * 1024;

function base64Length(v: unknown): number {
  return typeof v === 'string' ? Buffer.from(v, 'base64').length : 0;
}

function immutableData(obj: KubeObject, old: KubeObject, fields: string[]): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable !== true) {
    return errs;
  }
  if (obj.immutable !== true) {
    errs.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
  }
  for (const f of fields) {
    if (!deepEqual(obj[f] ?? {}, old[f] ?? {})) {
      errs.push(forbidden(f, 'field is immutable when `immutable` is set'));
    }
  }
  return errs;
}

/** ValidateConfigMap (+ update immutability). */
export function validateConfigMap(cm: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const data = asObj(cm.data) ?? {};
  const binary = asObj(cm.binaryData) ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(key('data', k), k, m)));
    if (k in binary) {
      errs.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    }
    total += byteLength(typeof v === 'string' ? v : String(v));
  }
  for (const [k, v] of Object.entries(binary)) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(key('binaryData', k), k, m)));
    total += base64Length(v);
  }
  if (total > MaxSecretSize) {
    errs.push(tooLong('', MaxSecretSize));
  }
  if (old !== undefined) {
    errs.push(...immutableData(cm, old, ['data', 'binaryData']));
  }
  return errs;
}

/** ValidateSecret: keys, size, per-type required keys (+ type and data immutability on update). */
export function validateSecret(secret: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errs: FieldError[] = [];
  const data = asObj(secret.data) ?? {};
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.push(...isConfigMapKey(k).map((m) => invalid(key('data', k), k, m)));
    total += base64Length(v);
  }
  if (total > MaxSecretSize) {
    errs.push(tooLong('data', MaxSecretSize));
  }
  const has = (k: string): boolean => k in data;
  switch (asStr(secret.type)) {
    case 'kubernetes.io/service-account-token':
      if (asStr(secret.metadata?.annotations?.['kubernetes.io/service-account.name']) === '') {
        errs.push(required(key('metadata.annotations', 'kubernetes.io/service-account.name'), ''));
      }
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const k = secret.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(k)) {
        errs.push(required(key('data', k), ''));
        break;
      }
      try {
        JSON.parse(Buffer.from(asStr(data[k]), 'base64').toString('utf8'));
      } catch (e) {
        errs.push(invalid(key('data', k), '<secret contents redacted>', (e as Error).message));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) {
        errs.push(required(key('data', 'username'), ''), required(key('data', 'password'), ''));
      }
      break;
    case 'kubernetes.io/ssh-auth':
      if (base64Length(data['ssh-privatekey']) === 0) {
        errs.push(required(key('data', 'ssh-privatekey'), ''));
      }
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) {
        errs.push(required(key('data', 'tls.crt'), ''));
      }
      if (!has('tls.key')) {
        errs.push(required(key('data', 'tls.key'), ''));
      }
      break;
    default:
      break;
  }
  if (old !== undefined) {
    if (asStr(secret.type) !== asStr(old.type)) {
      errs.push(invalid('type', asStr(secret.type), 'field is immutable'));
    }
    errs.push(...immutableData(secret, old, ['data']));
  }
  return errs;
}
