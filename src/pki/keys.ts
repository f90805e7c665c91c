/**
 * Key material for the cluster PKI: ECDSA P-256 key pairs over Node's WebCrypto, moved in
 * and out of PEM (PKCS#8 private keys, SPKI public keys), which Go's crypto/tls (kubectl,
 * helm) and Node's tls both accept.
 */
import { webcrypto } from 'node:crypto';
import type { webcrypto as WebCrypto } from 'node:crypto';
// Must run before @peculiar/x509 loads (ESM evaluates imports in order).
import './reflect-metadata.ts';
import * as x509 from '@peculiar/x509';

/** WebCrypto key types (the DOM lib is not loaded, so they come from node:crypto). */
export type CryptoKey = WebCrypto.CryptoKey;
export type CryptoKeyPair = WebCrypto.CryptoKeyPair;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** @peculiar/x509, loaded after the polyfill it needs and wired to Node's WebCrypto. */
export { x509 };

/** The one algorithm every k8ts key uses (and the matching signature algorithm). */
export const keyAlgorithm = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const signingAlgorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;

/** A fresh extractable P-256 key pair. */
export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(keyAlgorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
}

function toPem(der: ArrayBuffer, label: string): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function fromPem(pem: string, label: string): Buffer {
  const re = new RegExp(`-----BEGIN ${label}-----([^-]+)-----END ${label}-----`);
  const m = re.exec(pem);
  if (m === null) {
    throw new Error(`no ${label} block in PEM`);
  }
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

/** PKCS#8 PEM of a private key. */
export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  return toPem(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** SPKI PEM of a public key. */
export async function publicKeyToPem(key: CryptoKey): Promise<string> {
  return toPem(await webcrypto.subtle.exportKey('spki', key), 'PUBLIC KEY');
}

/** Imports a PKCS#8 PEM private key as a P-256 signing key. */
export async function privateKeyFromPem(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('pkcs8', fromPem(pem, 'PRIVATE KEY'), keyAlgorithm, true, ['sign']);
}

/** Imports an SPKI PEM public key as a P-256 verification key. */
export async function publicKeyFromPem(pem: string): Promise<CryptoKey> {
  return webcrypto.subtle.importKey('spki', fromPem(pem, 'PUBLIC KEY'), keyAlgorithm, true, ['verify']);
}
