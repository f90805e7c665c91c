/**
 * Service-account tokens: JWTs signed with the cluster's service-account key (`<data-dir>/pki/sa.key`,
 * ES256), shaped like upstream's bound tokens (iss, sub, aud, exp/iat/nbf, jti and the
 * `kubernetes.io` private claim), and the authenticator that turns one back into a user.
 */
import { createHash, createPublicKey, randomUUID } from 'node:crypto';
import { decodeJwt, importPKCS8, importSPKI, jwtVerify, SignJWT } from 'jose';
import type { UserInfo } from '../registry/types.ts';
import type { TokenAuthenticator } from './types.ts';

/** Upstream's default --service-account-issuer for kubeadm-style clusters. */
export const DEFAULT_SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

const ALG = 'ES256';
/** Upstream's default lifetime when a TokenRequest names none (1 hour). */
const DEFAULT_EXPIRATION_SECONDS = 3600;

/** Who a token is for, and what it is bound to. */
export interface ServiceAccountTokenRequest {
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly serviceAccountUid: string;
  /** Intended audiences (default: the issuer, which the apiserver accepts). */
  readonly audiences?: readonly string[];
  readonly expirationSeconds?: number;
  readonly pod?: { readonly name: string; readonly uid: string };
  readonly node?: { readonly name: string; readonly uid: string };
}

/** A signed token and when it expires (TokenRequest status). */
export interface IssuedToken {
  readonly token: string;
  /** RFC 3339 */
  readonly expirationTimestamp: string;
}

/** The `kid` upstream puts in token headers: base64url SHA-256 of the public key's DER (SPKI). */
export function keyIdOf(publicKeyPem: string): string {
  const der = createPublicKey(publicKeyPem).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

/** Signs a service-account token with the PKCS#8 `signingKeyPem` (its public half gives the kid). */
export async function issueServiceAccountToken(signingKeyPem: string, publicKeyPem: string, req: ServiceAccountTokenRequest, issuer = DEFAULT_SERVICE_ACCOUNT_ISSUER, now = new Date()): Promise<IssuedToken> {
  const key = await importPKCS8(signingKeyPem, ALG);
  const iat = Math.floor(now.getTime() / 1000);
  const exp = iat + (req.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS);
  const k8s: Record<string, unknown> = { namespace: req.namespace, serviceaccount: { name: req.serviceAccountName, uid: req.serviceAccountUid } };
  if (req.pod !== undefined) {
    k8s.pod = { name: req.pod.name, uid: req.pod.uid };
  }
  if (req.node !== undefined) {
    k8s.node = { name: req.node.name, uid: req.node.uid };
  }
  const token = await new SignJWT({ 'kubernetes.io': k8s })
    .setProtectedHeader({ alg: ALG, kid: keyIdOf(publicKeyPem) })
    .setIssuer(issuer)
    .setSubject(`system:serviceaccount:${req.namespace}:${req.serviceAccountName}`)
    .setAudience([...(req.audiences ?? [issuer])])
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(exp)
    .setJti(randomUUID())
    .sign(key);
  return { token, expirationTimestamp: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

interface KubernetesClaim {
  namespace?: string;
  serviceaccount?: { name?: string; uid?: string };
  pod?: { name?: string; uid?: string };
  node?: { name?: string; uid?: string };
}

/** Options for accepting service-account tokens. */
export interface ServiceAccountAuthenticatorOptions {
  readonly publicKeyPems: readonly string[];
  /** Accepted `iss` values (default: the default issuer). */
  readonly issuers?: readonly string[];
  /** Accepted audiences (default: the issuers). */
  readonly audiences?: readonly string[];
  /** Extra check that the service account (and bound pod) still exist; false rejects the token. */
  readonly stillValid?: (claims: { namespace: string; name: string; uid: string; podName?: string; podUid?: string }) => Promise<boolean>;
}

function looksLikeJwt(token: string): boolean {
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(token);
}

/** Authenticates service-account JWTs signed by any of the given keys; other tokens are not its business. */
export function serviceAccountTokenAuthenticator(opts: ServiceAccountAuthenticatorOptions): TokenAuthenticator {
  const issuers = opts.issuers ?? [DEFAULT_SERVICE_ACCOUNT_ISSUER];
  const audiences = opts.audiences ?? issuers;
  const keys = Promise.all(opts.publicKeyPems.map((pem) => importSPKI(pem, ALG)));
  return {
    async authenticateToken(token: string): Promise<UserInfo | undefined> {
      if (!looksLikeJwt(token)) {
        return undefined;
      }
      let iss: string | undefined;
      try {
        iss = decodeJwt(token).iss;
      } catch {
        return undefined;
      }
      if (iss === undefined || !issuers.includes(iss)) {
        return undefined;
      }
      for (const key of await keys) {
        let payload: Record<string, unknown>;
        try {
          ({ payload } = await jwtVerify(token, key, { issuer: [...issuers], audience: [...audiences], algorithms: [ALG] }));
        } catch {
          continue;
        }
        const k8s = (payload['kubernetes.io'] ?? {}) as KubernetesClaim;
        const namespace = k8s.namespace ?? '';
        const name = k8s.serviceaccount?.name ?? '';
        const uid = k8s.serviceaccount?.uid ?? '';
        if (namespace === '' || name === '' || payload.sub !== `system:serviceaccount:${namespace}:${name}`) {
          return undefined;
        }
        if (opts.stillValid !== undefined && !(await opts.stillValid({ namespace, name, uid, podName: k8s.pod?.name, podUid: k8s.pod?.uid }))) {
          return undefined;
        }
        const extra: Record<string, string[]> = {};
        if (typeof payload.jti === 'string') {
          extra['authentication.kubernetes.io/credential-id'] = [`JTI=${payload.jti}`];
        }
        if (k8s.pod?.name !== undefined) {
          extra['authentication.kubernetes.io/pod-name'] = [k8s.pod.name];
          extra['authentication.kubernetes.io/pod-uid'] = [k8s.pod.uid ?? ''];
        }
        if (k8s.node?.name !== undefined) {
          extra['authentication.kubernetes.io/node-name'] = [k8s.node.name];
          extra['authentication.kubernetes.io/node-uid'] = [k8s.node.uid ?? ''];
        }
        return {
          username: `system:serviceaccount:${namespace}:${name}`,
          uid,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
          ...(Object.keys(extra).length > 0 ? { extra } : {}),
        };
      }
      return undefined;
    },
  };
}
