/**
 * The cluster certificate authority and the certificates it signs: client certificates
 * (CN = user, O = groups, as upstream's x509 authenticator reads them) and serving
 * certificates (SANs split into IP and DNS names).
 */
import { isIP } from 'node:net';
import { join } from 'node:path';
import { readIfExists, writeFileAtomic } from './files.ts';
import { generateKeyPair, privateKeyFromPem, privateKeyToPem, signingAlgorithm, x509 } from './keys.ts';
import type { CryptoKey } from './keys.ts';

/** A loaded CA: PEMs for files and kubeconfigs, parsed forms for signing. */
export interface CertificateAuthority {
  readonly certPem: string;
  readonly keyPem: string;
  readonly cert: x509.X509Certificate;
  readonly key: CryptoKey;
}

/** A certificate with its private key, both PEM. */
export interface KeyPairPem {
  readonly certPem: string;
  readonly keyPem: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** kubeadm's lifetimes: 10 years for the CA, 1 year for leaves. */
const CA_DAYS = 3650;
const LEAF_DAYS = 365;
/** Leaves closer than this to expiry are re-issued on start. */
const RENEW_BEFORE_DAYS = 30;

function validity(days: number): { notBefore: Date; notAfter: Date } {
  // Back-date a little so that small clock skew between machines does not reject a new cert.
  const now = Date.now();
  return { notBefore: new Date(now - 5 * 60 * 1000), notAfter: new Date(now + days * DAY_MS) };
}

/** Loads `<dir>/ca.crt` + `<dir>/ca.key`, creating a new self-signed CA when absent. */
export async function ensureCa(dir: string, commonName = 'kubernetes'): Promise<CertificateAuthority> {
  const certFile = join(dir, 'ca.crt');
  const keyFile = join(dir, 'ca.key');
  const [certPem, keyPem] = await Promise.all([readIfExists(certFile), readIfExists(keyFile)]);
  if (certPem !== undefined && keyPem !== undefined) {
    return { certPem, keyPem, cert: new x509.X509Certificate(certPem), key: await privateKeyFromPem(keyPem) };
  }
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [commonName] }],
    keys,
    signingAlgorithm,
    ...validity(CA_DAYS),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const ca: CertificateAuthority = { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyToPem(keys.privateKey), cert, key: keys.privateKey };
  await writeFileAtomic(keyFile, ca.keyPem, 0o600);
  await writeFileAtomic(certFile, ca.certPem, 0o644);
  return ca;
}

async function issue(ca: CertificateAuthority, subject: x509.JsonName, usages: string[], extra: x509.Extension[]): Promise<KeyPairPem> {
  const keys = await generateKeyPair();
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: ca.cert.subject,
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm,
    ...validity(LEAF_DAYS),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension(usages, false),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false),
      ...extra,
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: await privateKeyToPem(keys.privateKey) };
}

/** A client certificate for `user` in `groups` (CN = user, one O per group), signed by the CA. */
export async function issueClientCert(ca: CertificateAuthority, user: string, groups: readonly string[] = []): Promise<KeyPairPem> {
  const subject: x509.JsonName = [...groups.map((g) => ({ O: [g] })), { CN: [user] }];
  return issue(ca, subject, [x509.ExtendedKeyUsage.clientAuth], []);
}

/** A serving certificate whose SANs are `sans` (IP literals become IP SANs, the rest DNS); CN = the first SAN. */
export async function issueServingCert(ca: CertificateAuthority, sans: readonly string[], commonName = 'kube-apiserver'): Promise<KeyPairPem> {
  const unique = [...new Set(sans.filter((s) => s !== ''))];
  const names = unique.map((s) => (isIP(s) !== 0 ? { type: 'ip' as const, value: s } : { type: 'dns' as const, value: s }));
  return issue(ca, [{ CN: [commonName] }], [x509.ExtendedKeyUsage.serverAuth], [new x509.SubjectAlternativeNameExtension(names, false)]);
}

/** True when `certPem` was signed by `ca`, is valid for a while yet, and (if given) covers every SAN in `sans`. */
export async function certStillGood(ca: CertificateAuthority, certPem: string, sans: readonly string[] = []): Promise<boolean> {
  let cert: x509.X509Certificate;
  try {
    cert = new x509.X509Certificate(certPem);
  } catch {
    return false;
  }
  if (cert.notAfter.getTime() - Date.now() < RENEW_BEFORE_DAYS * DAY_MS) {
    return false;
  }
  if (!(await cert.verify({ publicKey: ca.cert.publicKey, signatureOnly: true }))) {
    return false;
  }
  if (sans.length === 0) {
    return true;
  }
  const ext = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const have = new Set((ext?.names.items ?? []).map((n) => n.value.toLowerCase()));
  return sans.every((s) => s === '' || have.has(s.toLowerCase()));
}
