/**
 * Key-range helpers shared by both backends. A prefix always names a "directory": like
 * upstream's etcd3 store, a prefix without a trailing '/' gets one, so `/registry/pods`
 * never matches `/registry/podsx/...`.
 */

/** The prefix with exactly one trailing '/' appended when missing. */
export function normalizePrefix(prefix: string): string {
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** The smallest string greater than every string starting with prefix (range end, exclusive). */
export function prefixEnd(prefix: string): string {
  // Keys are ASCII paths; incrementing the last code unit bounds the range, as etcd's
  // clientv3.GetPrefixRangeEnd does on bytes.
  for (let i = prefix.length - 1; i >= 0; i--) {
    const code = prefix.charCodeAt(i);
    if (code < 0xffff) {
      return prefix.slice(0, i) + String.fromCharCode(code + 1);
    }
  }
  return '\uffff';
}

/** True when key lies under the (already normalised) prefix. */
export function hasPrefix(key: string, prefix: string): boolean {
  return key.startsWith(prefix);
}
