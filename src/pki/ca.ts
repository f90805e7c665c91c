/**
 * The cluster certificate authority and the certificates it signs: client certificates
 * (CN = user, O = groups, as upstream's x509 authenticator reads them) and serving
 * certificates (SANs split into IP and DNS names).
 */
import { readFile } from 'node:fs/promises';
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

/** Loads a CA from its certificate and key files (PEM); throws when either is missing or unreadable. */
export async function loadCa(certFile: string, keyFile: string): Promise<CertificateAuthority> {
  const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { certPem, keyPem, cert: new x509.X509Certificate(certPem), key: await privateKeyFromPem(keyPem) };
}

interface LeafOptions {
  readonly subject: x509.Name | x509.JsonName;
  readonly publicKey: x509.PublicKeyType;
  readonly keyUsages: x509.KeyUsageFlags;
  readonly extendedUsages: readonly string[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extra?: readonly x509.Extension[];
}

/** Signs a leaf certificate for `publicKey` with the CA; PEM. */
async function signLeaf(ca: CertificateAuthority, o: LeafOptions): Promise<string> {
  const cert = await x509.X509CertificateGenerator.create({
    subject: o.subject,
    issuer: ca.cert.subject,
    publicKey: o.publicKey,
    signingKey: ca.key,
    signingAlgorithm,
    notBefore: o.notBefore,
    notAfter: o.notAfter,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      ...(Number(o.keyUsages) === 0 ? [] : [new x509.KeyUsagesExtension(o.keyUsages, true)]),
      ...(o.extendedUsages.length === 0 ? [] : [new x509.ExtendedKeyUsageExtension([...o.extendedUsages], false)]),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert, false),
      ...(o.extra ?? []),
    ],
  });
  return cert.toString('pem') + '\n';
}

async function issue(ca: CertificateAuthority, subject: x509.JsonName, usages: string[], extra: x509.Extension[]): Promise<KeyPairPem> {
  const keys = await generateKeyPair();
  const certPem = await signLeaf(ca, {
    subject,
    publicKey: keys.publicKey,
    keyUsages: x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
    extendedUsages: usages,
    ...validity(LEAF_DAYS),
    extra,
  });
  return { certPem, keyPem: await privateKeyToPem(keys.privateKey) };
}

/** What a CertificateSigningRequest asks the CA to sign. */
export interface SignRequest {
  /** The PKCS#10 request, PEM. */
  readonly csrPem: string;
  readonly keyUsages: x509.KeyUsageFlags;
  /** Extended key usage OIDs. */
  readonly extendedUsages: readonly string[];
  /** Requested lifetime; the certificate never outlives the CA. */
  readonly durationMs: number;
}

/**
 * Signs a PKCS#10 request with the CA: subject and SANs as requested, back-dated 5 minutes as
 * upstream's signer does, and never valid past the CA itself. Throws when the request's own
 * signature does not verify (someone else's public key).
 */
export async function signCertificateRequest(ca: CertificateAuthority, req: SignRequest): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(req.csrPem);
  if (!(await csr.verify())) {
    throw new Error('the certificate request is not signed by its own key');
  }
  const now = Date.now();
  const notAfter = new Date(Math.min(now + req.durationMs, ca.cert.notAfter.getTime()));
  // Subject alternative names as requested (OID 2.5.29.17); other requested extensions are not honoured.
  const sans = csr.extensions.filter((e) => e.type === '2.5.29.17');
  return signLeaf(ca, {
    subject: csr.subjectName,
    publicKey: csr.publicKey,
    keyUsages: req.keyUsages,
    extendedUsages: req.extendedUsages,
    notBefore: new Date(now - 5 * 60 * 1000),
    notAfter,
    extra: sans,
  });
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
