/**
 * Conversions between etcd's wire shapes (Buffers, int64 as decimal strings) and ours.
 */
import type { IKeyValue } from 'etcd3';
import type { KeyValue } from '../interface.ts';

/** A key or value as the bytes etcd stores. */
export function bytes(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

/** An int64 field (string on the wire) as a number; revisions stay far below 2^53. */
export function int(v: string | number | null | undefined): number {
  return v == null ? 0 : Number(v);
}

/** Our KeyValue for etcd's. */
export function fromEtcd(kv: IKeyValue): KeyValue {
  return {
    key: kv.key.toString('utf8'),
    value: kv.value ? kv.value.toString('utf8') : '',
    modRevision: int(kv.mod_revision),
    createRevision: int(kv.create_revision),
  };
}
