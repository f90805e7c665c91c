/** Paths an anonymous client may reach (health and version); every other path needs credentials. */

/** Exact paths served to anonymous clients. */
export const PUBLIC_PATHS: readonly string[] = ['/version', '/healthz', '/livez', '/readyz'];

/** True for /version, /healthz, /livez, /readyz and their sub-checks (`/readyz/etcd`, `/healthz/ping`). */
export function isPublicPath(pathname: string): boolean {
  const p = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  return PUBLIC_PATHS.some((base) => p === base || (base !== '/version' && p.startsWith(`${base}/`)));
}
