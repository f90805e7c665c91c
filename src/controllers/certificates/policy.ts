/**
 * What the CSR signer decides for one CertificateSigningRequest, as upstream's csrsigning
 * controller: only approved, not failed, not yet issued requests for the signers it serves; each
 * signer's rules on usages and subject; the lifetime from `spec.expirationSeconds` capped by
 * `--cluster-signing-duration`.
 */
import { x509 } from '../../pki/keys.ts';

/** The signers kube-controller-manager's csrsigning controller serves with the cluster CA. */
export const Signers = {
  apiServerClient: 'kubernetes.io/kube-apiserver-client',
  apiServerClientKubelet: 'kubernetes.io/kube-apiserver-client-kubelet',
  kubeletServing: 'kubernetes.io/kubelet-serving',
} as const;

/** The CSR fields the signer reads. */
export interface CsrView {
  readonly spec?: { readonly request?: string; readonly signerName?: string; readonly usages?: readonly string[]; readonly expirationSeconds?: number };
  readonly status?: { readonly certificate?: string; readonly conditions?: readonly { readonly type?: string; readonly status?: string }[] };
}

/** What to do: nothing, sign with these usages for this long, or mark the request Failed. */
export type SigningDecision =
  | { readonly action: 'skip' }
  | { readonly action: 'sign'; readonly keyUsages: x509.KeyUsageFlags; readonly extendedUsages: readonly string[]; readonly durationMs: number }
  | { readonly action: 'fail'; readonly message: string };

const keyUsageBits: Readonly<Record<string, x509.KeyUsageFlags>> = {
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'cert sign': x509.KeyUsageFlags.keyCertSign,
  'crl sign': x509.KeyUsageFlags.cRLSign,
  'encipher only': x509.KeyUsageFlags.encipherOnly,
  'decipher only': x509.KeyUsageFlags.decipherOnly,
};

const extendedUsageOids: Readonly<Record<string, string>> = {
  'server auth': x509.ExtendedKeyUsage.serverAuth,
  'client auth': x509.ExtendedKeyUsage.clientAuth,
  'code signing': x509.ExtendedKeyUsage.codeSigning,
  'email protection': x509.ExtendedKeyUsage.emailProtection,
  'timestamping': x509.ExtendedKeyUsage.timeStamping,
  'ocsp signing': x509.ExtendedKeyUsage.ocspSigning,
};

const clientUsages = new Set(['digital signature', 'key encipherment', 'client auth']);
const servingUsages = new Set(['digital signature', 'key encipherment', 'server auth']);

/** Upstream's minimum for spec.expirationSeconds (10 minutes). */
const MIN_EXPIRATION_SECONDS = 600;

function isApproved(csr: CsrView): boolean {
  const conditions = csr.status?.conditions ?? [];
  return conditions.some((c) => c.type === 'Approved' && c.status !== 'False') && !conditions.some((c) => c.type === 'Denied' || c.type === 'Failed');
}

/** Checks the usages against what the signer allows; the first problem, or undefined. */
function usageProblem(signer: string, usages: readonly string[]): string | undefined {
  const allowed = signer === Signers.kubeletServing ? servingUsages : clientUsages;
  const what = signer === Signers.kubeletServing ? 'serving' : 'client';
  const bad = usages.find((u) => !allowed.has(u));
  if (bad !== undefined) {
    return `invalid usage for ${what} certificate: ${bad}`;
  }
  const required = signer === Signers.kubeletServing ? 'server auth' : 'client auth';
  return usages.includes(required) ? undefined : `missing required usage for ${what} certificate: ${required}`;
}

/** Node certificates must name a node: O=system:nodes, CN=system:node:<name>. */
function nodeSubjectProblem(request: x509.Pkcs10CertificateRequest): string | undefined {
  const name = request.subjectName;
  const orgs = name.getField('O');
  const cn = name.getField('CN');
  if (orgs.length !== 1 || orgs[0] !== 'system:nodes') {
    return 'subject organization is not system:nodes';
  }
  if (cn.length !== 1 || !cn[0].startsWith('system:node:')) {
    return 'subject common name does not begin with system:node:';
  }
  return undefined;
}

/**
 * Decides for one CSR. `signingDurationMs` is --cluster-signing-duration. Requests for other
 * signers, unapproved, denied, failed or already issued ones are skipped.
 */
export function decide(csr: CsrView, signingDurationMs: number): SigningDecision {
  const signer = csr.spec?.signerName ?? '';
  if (!Object.values(Signers).includes(signer as (typeof Signers)[keyof typeof Signers]) || !isApproved(csr) || (csr.status?.certificate ?? '') !== '') {
    return { action: 'skip' };
  }
  let request: x509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(Buffer.from(csr.spec?.request ?? '', 'base64').toString('utf8'));
  } catch (e) {
    return { action: 'fail', message: `unable to parse csr: ${(e as Error).message}` };
  }
  const usages = csr.spec?.usages ?? [];
  const problem = usageProblem(signer, usages) ?? (signer === Signers.apiServerClient ? undefined : nodeSubjectProblem(request));
  if (problem !== undefined) {
    return { action: 'fail', message: problem };
  }
  const requested = csr.spec?.expirationSeconds;
  const durationMs = requested === undefined ? signingDurationMs : Math.min(signingDurationMs, Math.max(requested, MIN_EXPIRATION_SECONDS) * 1000);
  let keyUsages = 0 as x509.KeyUsageFlags;
  for (const u of usages) {
    keyUsages |= keyUsageBits[u] ?? 0;
  }
  const extendedUsages = usages.map((u) => extendedUsageOids[u]).filter((oid): oid is string => oid !== undefined);
  return { action: 'sign', keyUsages, extendedUsages, durationMs };
}
