/**
 * serviceaccounts/<name>/token: TokenRequest (authentication.k8s.io/v1) like upstream's
 * TokenREST — validate, look up the ServiceAccount (and the bound Pod/Secret/Node), sign.
 * Nothing is stored.
 */
import { badRequest, conflict, invalid } from '../../api/errors.ts';
import type { FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { parseApiVersion } from '../../api/object.ts';
import { DEFAULT_SERVICE_ACCOUNT_ISSUER, issueServiceAccountToken } from '../authn/service-account.ts';
import type { ServiceAccountTokenRequest } from '../authn/service-account.ts';

/** The keys (PEM) the registry signs TokenRequests with, and what it puts in them. */
export interface ServiceAccountTokenOptions {
  /** PKCS#8 private key (the cluster's sa.key). */
  readonly signingKeyPem: string;
  /** Its public half (gives the `kid`). */
  readonly publicKeyPem: string;
  /** `iss` (default: DEFAULT_SERVICE_ACCOUNT_ISSUER). */
  readonly issuer?: string;
  /** Audiences when the request names none (default: the issuer, which the apiserver accepts). */
  readonly audiences?: readonly string[];
}

/** Reads a core/v1 object by resource name; throws upstream's 404 when missing. */
export type CoreGetter = (resource: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes', namespace: string | undefined, name: string) => Promise<KubeObject>;

/** Upstream's API default for spec.expirationSeconds. */
const defaultExpirationSeconds = 3600;
const minExpirationSeconds = 600;
const maxExpirationSeconds = 2 ** 32;

interface BoundObjectRef {
  apiVersion?: unknown;
  kind?: unknown;
  name?: unknown;
  uid?: unknown;
}

interface TokenRequestSpec {
  audiences?: unknown;
  expirationSeconds?: unknown;
  boundObjectRef?: BoundObjectRef | null;
}

function fail(errors: FieldError[]): never {
  throw invalid('authentication.k8s.io', 'TokenRequest', '', errors);
}

/** Upstream's ValidateTokenRequest plus the name/namespace-must-match rules of TokenREST. */
function validate(body: KubeObject, namespace: string, name: string): { expirationSeconds: number; audiences: string[] | undefined; ref: BoundObjectRef | undefined } {
  const spec = (body.spec ?? {}) as TokenRequestSpec;
  const bodyName = body.metadata.name;
  if (bodyName !== undefined && bodyName !== '' && bodyName !== name) {
    throw invalid('authentication.k8s.io', 'TokenRequest', name, [{ type: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: "${bodyName}": must match the service account name if specified` }]);
  }
  const bodyNs = body.metadata.namespace;
  if (bodyNs !== undefined && bodyNs !== '' && bodyNs !== namespace) {
    throw invalid('authentication.k8s.io', 'TokenRequest', name, [{ type: 'FieldValueInvalid', field: 'metadata.namespace', message: `Invalid value: "${bodyNs}": must match the service account namespace if specified` }]);
  }
  const exp = spec.expirationSeconds ?? defaultExpirationSeconds;
  if (typeof exp !== 'number' || !Number.isInteger(exp)) {
    throw badRequest('TokenRequest in version "v1" cannot be handled as a TokenRequest: spec.expirationSeconds must be an integer');
  }
  const errors: FieldError[] = [];
  if (exp < minExpirationSeconds) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${exp}: may not specify a duration less than 10 minutes` });
  }
  if (exp > maxExpirationSeconds) {
    errors.push({ type: 'FieldValueInvalid', field: 'spec.expirationSeconds', message: `Invalid value: ${exp}: may not specify a duration larger than 2^32 seconds` });
  }
  if (errors.length > 0) {
    fail(errors);
  }
  const auds = Array.isArray(spec.audiences) ? spec.audiences.filter((a): a is string => typeof a === 'string') : [];
  const ref = spec.boundObjectRef ?? undefined;
  return { expirationSeconds: exp, audiences: auds.length > 0 ? auds : undefined, ref };
}

/** Answers POST serviceaccounts/<name>/token with the request, its spec completed and status.token set. */
export async function createServiceAccountToken(keys: ServiceAccountTokenOptions | undefined, get: CoreGetter, namespace: string | undefined, name: string, body: KubeObject): Promise<KubeObject> {
  const ns = namespace ?? '';
  const { expirationSeconds, audiences, ref } = validate(body, ns, name);
  const sa = await get('serviceaccounts', ns, name);
  if (keys === undefined) {
    throw badRequest('the server has no service account signing key configured');
  }
  let pod: { name: string; uid: string } | undefined;
  let node: { name: string; uid: string } | undefined;
  let boundUid: string | undefined;
  if (ref !== undefined) {
    const refName = typeof ref.name === 'string' ? ref.name : '';
    const gv = parseApiVersion(typeof ref.apiVersion === 'string' ? ref.apiVersion : '');
    const kind = typeof ref.kind === 'string' ? ref.kind : '';
    if (gv.group === '' && kind === 'Pod') {
      const p = await get('pods', ns, refName);
      const podSa = (p.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName ?? '';
      if (podSa !== name) {
        throw badRequest(`cannot bind token for serviceaccount "${name}" to pod running with serviceaccount "${podSa}"`);
      }
      pod = { name: refName, uid: p.metadata.uid ?? '' };
      boundUid = pod.uid;
    } else if (gv.group === '' && kind === 'Secret') {
      boundUid = (await get('secrets', ns, refName)).metadata.uid ?? '';
    } else if (gv.group === '' && kind === 'Node') {
      node = { name: refName, uid: (await get('nodes', undefined, refName)).metadata.uid ?? '' };
      boundUid = node.uid;
    } else {
      throw badRequest(`cannot bind token to object of type ${gv.group === '' ? '' : `${gv.group}/`}${gv.version}, Kind=${kind}`);
    }
    if (typeof ref.uid === 'string' && ref.uid !== '' && ref.uid !== boundUid) {
      throw conflict(gv.group, kind, refName, `the UID in the bound object reference (${ref.uid}) does not match the UID in record (${boundUid}). The object might have been deleted and then recreated`);
    }
  }
  const issuer = keys.issuer ?? DEFAULT_SERVICE_ACCOUNT_ISSUER;
  const finalAudiences = audiences ?? [...(keys.audiences ?? [issuer])];
  const req: ServiceAccountTokenRequest = {
    namespace: ns,
    serviceAccountName: name,
    serviceAccountUid: sa.metadata.uid ?? '',
    audiences: finalAudiences,
    expirationSeconds,
    ...(pod !== undefined ? { pod } : {}),
    ...(node !== undefined ? { node } : {}),
  };
  const issued = await issueServiceAccountToken(keys.signingKeyPem, keys.publicKeyPem, req, issuer);
  return {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    metadata: { name, namespace: ns },
    spec: { ...((body.spec ?? {}) as Record<string, unknown>), audiences: finalAudiences, expirationSeconds, ...(ref !== undefined ? { boundObjectRef: ref } : {}) },
    status: { token: issued.token, expirationTimestamp: issued.expirationTimestamp },
  };
}
