/** URL paths and query strings for the Kubernetes REST API, by group/version/resource. */

/** Everything that names a resource URL; group '' is the core group (`/api/v1`). */
export interface ResourceRef {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

/** `/api/v1/namespaces/ns/pods/name/status` or `/apis/apps/v1/deployments`; segments are URL-escaped. */
export function pathFor(ref: ResourceRef): string {
  let p = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  if (ref.namespace !== undefined && ref.namespace !== '') {
    p += `/namespaces/${encodeURIComponent(ref.namespace)}`;
  }
  p += `/${ref.resource}`;
  if (ref.name !== undefined && ref.name !== '') {
    p += `/${encodeURIComponent(ref.name)}`;
    if (ref.subresource !== undefined && ref.subresource !== '') {
      p += `/${ref.subresource}`;
    }
  } else if (ref.subresource !== undefined && ref.subresource !== '') {
    throw new Error(`subresource "${ref.subresource}" needs a name`);
  }
  return p;
}

/** Query parameter values; undefined entries are left out. */
export type QueryParams = Readonly<Record<string, string | number | boolean | readonly string[] | undefined>>;

/** `?a=1&b=x` (or '' when nothing is set). */
export function queryString(q: QueryParams | undefined): string {
  if (q === undefined) {
    return '';
  }
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined) {
      continue;
    }
    if (Array.isArray(v)) {
      for (const x of v as readonly string[]) {
        sp.append(k, x);
      }
    } else {
      sp.append(k, String(v));
    }
  }
  const s = sp.toString();
  return s === '' ? '' : `?${s}`;
}

/** `namespace/name` (or `name` for cluster-scoped objects): the cache and work-queue key, like client-go's MetaNamespaceKeyFunc. */
export function objectKey(meta: { readonly namespace?: string; readonly name?: string }): string {
  const ns = meta.namespace ?? '';
  return ns === '' ? (meta.name ?? '') : `${ns}/${meta.name ?? ''}`;
}

/** Splits a key made by objectKey back into namespace ('' if none) and name. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}
