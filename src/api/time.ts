/** metav1.Time text: RFC 3339 in whole seconds, as upstream serialises it. */
export function rfc3339Now(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}
