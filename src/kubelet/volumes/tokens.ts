/**
 * Service-account tokens for projected volumes, as upstream's kubelet token manager: one
 * TokenRequest per (pod, service account, audience, expiry), bound to the pod, cached and
 * requested again once 80 % of its lifetime has passed (or after 24 h), so the file in the
 * volume is always a valid token.
 */
import type { RestClient } from '../../client/index.ts';
import type { Pod } from '../pods/types.ts';

interface Cached {
  readonly token: string;
  readonly issuedMs: number;
  readonly expiresMs: number;
}

const MAX_AGE_MS = 24 * 3600 * 1000;

/** Whether a token issued at `issuedMs` and expiring at `expiresMs` should be replaced at `nowMs`. */
export function needsRefresh(issuedMs: number, expiresMs: number, nowMs: number): boolean {
  return nowMs >= expiresMs || nowMs - issuedMs > 0.8 * (expiresMs - issuedMs) || nowMs - issuedMs > MAX_AGE_MS;
}

/** Requests and caches bound service-account tokens. */
export class TokenManager {
  private readonly client: RestClient;
  private readonly cache = new Map<string, Cached>();

  constructor(client: RestClient) {
    this.client = client;
  }

  /** A token for the pod's service account (from cache while fresh). */
  async token(pod: Pod, audience: string | undefined, expirationSeconds: number): Promise<string> {
    const sa = pod.spec.serviceAccountName ?? 'default';
    const key = [pod.metadata.uid, sa, audience ?? '', expirationSeconds].join('/');
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit !== undefined && !needsRefresh(hit.issuedMs, hit.expiresMs, now)) {
      return hit.token;
    }
    const res = await this.client.subresource<{ status?: { token?: string; expirationTimestamp?: string } }>('POST',
      { group: '', version: 'v1', resource: 'serviceaccounts', namespace: pod.metadata.namespace ?? 'default', name: sa, subresource: 'token' },
      {
        apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
        spec: { audiences: audience !== undefined && audience !== '' ? [audience] : [], expirationSeconds, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name, uid: pod.metadata.uid } },
      });
    const token = res.status?.token;
    if (token === undefined || token === '') {
      throw new Error(`failed to fetch token: the TokenRequest for service account "${sa}" returned no token`);
    }
    const expires = Date.parse(res.status?.expirationTimestamp ?? '');
    this.cache.set(key, { token, issuedMs: now, expiresMs: Number.isNaN(expires) ? now + expirationSeconds * 1000 : expires });
    return token;
  }

  /** Drops the tokens of a pod that is gone. */
  forget(podUid: string): void {
    for (const key of this.cache.keys()) {
      if (key.startsWith(`${podUid}/`)) {
        this.cache.delete(key);
      }
    }
  }
}
