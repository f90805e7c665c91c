/**
 * Everything the control plane needs under `<data-dir>/pki/`, created on first start and
 * reused afterwards (kubeadm's file names): the CA, the apiserver's serving certificate, the
 * admin client certificate and the service-account signing key pair.
 */
import { X509Certificate } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { certStillGood, ensureCa, issueClientCert, issueServingCert } from './ca.ts';
import type { CertificateAuthority, KeyPairPem } from './ca.ts';
import { readIfExists, writeFileAtomic } from './files.ts';
import { generateKeyPair, privateKeyToPem, publicKeyToPem } from './keys.ts';

/** A PEM pair together with the files it lives in. */
export interface KeyPairFiles extends KeyPairPem {
  readonly certFile: string;
  readonly keyFile: string;
}

/** The control plane's PKI, loaded. */
export interface ClusterPki {
  readonly dir: string;
  readonly ca: CertificateAuthority;
  readonly caFile: string;
  readonly serving: KeyPairFiles;
  readonly admin: KeyPairFiles;
  /** The apiserver's client certificate towards kubelets (logs, exec, port-forward), kubeadm's identity. */
  readonly kubeletClient: KeyPairFiles;
  readonly serviceAccount: { readonly keyFile: string; readonly pubFile: string; readonly keyPem: string; readonly pubPem: string };
}

/** The admin identity written into admin.kubeconfig (kubeadm's). */
export const ADMIN_USER = 'kubernetes-admin';
export const ADMIN_GROUPS: readonly string[] = ['system:masters'];

/** kubeadm's identity for the apiserver when it calls kubelets. */
export const KUBELET_CLIENT_USER = 'kube-apiserver-kubelet-client';
export const KUBELET_CLIENT_GROUPS: readonly string[] = ['system:masters'];

/** The first IP of the default service CIDR 10.96.0.0/12: the `kubernetes` Service's ClusterIP. */
export const DEFAULT_KUBERNETES_SERVICE_IP = '10.96.0.1';

/** The apiserver serving certificate's SANs (upstream's list plus the bind address, if specific). */
export function apiserverSans(bindAddress?: string, extra: readonly string[] = []): string[] {
  const sans = [
    '127.0.0.1', '::1', 'localhost', hostname(),
    'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local',
    DEFAULT_KUBERNETES_SERVICE_IP, ...extra,
  ];
  // 0.0.0.0 / :: mean "every interface": not a name a client connects to.
  if (bindAddress !== undefined && bindAddress !== '' && bindAddress !== '0.0.0.0' && bindAddress !== '::') {
    sans.push(bindAddress);
  }
  return [...new Set(sans)];
}

/** True when the certificate's subject is exactly CN=user plus one O per group. */
function subjectIs(certPem: string, user: string, groups: readonly string[]): boolean {
  const lines = new X509Certificate(certPem).subject.split('\n');
  const cn = lines.filter((l) => l.startsWith('CN=')).map((l) => l.slice(3));
  const o = lines.filter((l) => l.startsWith('O=')).map((l) => l.slice(2));
  return cn.length === 1 && cn[0] === user && JSON.stringify([...o].sort()) === JSON.stringify([...groups].sort());
}

async function ensureLeaf(ca: CertificateAuthority, dir: string, base: string, sans: readonly string[], issue: () => Promise<KeyPairPem>, identity?: { user: string; groups: readonly string[] }): Promise<KeyPairFiles> {
  const certFile = join(dir, `${base}.crt`);
  const keyFile = join(dir, `${base}.key`);
  const [certPem, keyPem] = await Promise.all([readIfExists(certFile), readIfExists(keyFile)]);
  if (certPem !== undefined && keyPem !== undefined && (await certStillGood(ca, certPem, sans)) && (identity === undefined || subjectIs(certPem, identity.user, identity.groups))) {
    return { certPem, keyPem, certFile, keyFile };
  }
  const fresh = await issue();
  await writeFileAtomic(keyFile, fresh.keyPem, 0o600);
  await writeFileAtomic(certFile, fresh.certPem, 0o644);
  return { ...fresh, certFile, keyFile };
}

/**
 * A client certificate for a component (`<dir>/<base>.crt` + `.key`), issued by the cluster CA
 * on first use and reused afterwards, e.g. `ensureClientCert(dataDir, 'kube-scheduler', 'system:kube-scheduler')`.
 */
export async function ensureClientCert(dataDir: string, base: string, user: string, groups: readonly string[] = []): Promise<KeyPairFiles> {
  const dir = join(dataDir, 'pki');
  const ca = await ensureCa(dir);
  return ensureLeaf(ca, dir, base, [], () => issueClientCert(ca, user, groups), { user, groups });
}

async function ensureServiceAccountKey(dir: string): Promise<ClusterPki['serviceAccount']> {
  const keyFile = join(dir, 'sa.key');
  const pubFile = join(dir, 'sa.pub');
  const [keyPem, pubPem] = await Promise.all([readIfExists(keyFile), readIfExists(pubFile)]);
  if (keyPem !== undefined && pubPem !== undefined) {
    return { keyFile, pubFile, keyPem, pubPem };
  }
  const keys = await generateKeyPair();
  const fresh = { keyPem: await privateKeyToPem(keys.privateKey), pubPem: await publicKeyToPem(keys.publicKey) };
  await writeFileAtomic(keyFile, fresh.keyPem, 0o600);
  await writeFileAtomic(pubFile, fresh.pubPem, 0o644);
  return { keyFile, pubFile, ...fresh };
}

/**
 * Loads or creates the cluster PKI under `<dataDir>/pki`. Idempotent: existing files are
 * reused; the serving certificate is re-issued only if it no longer covers `sans` or nears expiry.
 */
export async function ensureClusterPki(dataDir: string, sans: readonly string[] = apiserverSans()): Promise<ClusterPki> {
  const dir = join(dataDir, 'pki');
  const ca = await ensureCa(dir);
  const serving = await ensureLeaf(ca, dir, 'apiserver', sans, () => issueServingCert(ca, sans));
  const admin = await ensureLeaf(ca, dir, 'admin', [], () => issueClientCert(ca, ADMIN_USER, ADMIN_GROUPS), { user: ADMIN_USER, groups: ADMIN_GROUPS });
  const kubeletClient = await ensureLeaf(ca, dir, 'apiserver-kubelet-client', [], () => issueClientCert(ca, KUBELET_CLIENT_USER, KUBELET_CLIENT_GROUPS), { user: KUBELET_CLIENT_USER, groups: KUBELET_CLIENT_GROUPS });
  const serviceAccount = await ensureServiceAccountKey(dir);
  return { dir, ca, caFile: join(dir, 'ca.crt'), serving, admin, kubeletClient, serviceAccount };
}
