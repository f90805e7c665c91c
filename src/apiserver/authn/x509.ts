/**
 * Client-certificate authentication, as upstream's x509 authenticator: a peer certificate that
 * chains to the client CA and allows clientAuth names the user (CN) and groups (O).
 */
import type { TLSSocket } from 'node:tls';
import { unauthorized } from '../../api/errors.ts';
import type { UserInfo } from '../registry/types.ts';
import type { AuthRequest, RequestAuthenticator } from './types.ts';

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const ANY_EKU_OID = '2.5.29.37.0';

function values(v: string | string[] | undefined): string[] {
  if (v === undefined) {
    return [];
  }
  return Array.isArray(v) ? v : [v];
}

/** What a connection's certificate says: a user, no certificate, or a certificate we refuse. */
type CertOutcome = UserInfo | undefined | 'unauthorized';

function fromCertificate(socket: TLSSocket): CertOutcome {
  const cert = socket.getPeerCertificate();
  if (cert === null || Object.keys(cert).length === 0) {
    return undefined;
  }
  // A presented but unverifiable certificate is an authentication failure, not anonymity.
  if (!socket.authorized) {
    return 'unauthorized';
  }
  const eku = cert.ext_key_usage;
  if (Array.isArray(eku) && eku.length > 0 && !eku.includes(CLIENT_AUTH_OID) && !eku.includes(ANY_EKU_OID)) {
    return 'unauthorized';
  }
  const cn = values(cert.subject.CN)[0];
  if (cn === undefined || cn === '') {
    return 'unauthorized';
  }
  return { username: cn, groups: values(cert.subject.O) };
}

/**
 * Authenticates from the TLS peer certificate. The TLS server must have been started with
 * `requestCert: true` and the client CA as `ca`, so Node has already verified the chain.
 * The outcome is remembered per TLS 1.3 connection: getPeerCertificate() builds a new object
 * tree on every call (about a tenth of a pod create's CPU), while the peer of a TLS 1.3
 * connection never changes (no renegotiation; TLS 1.2 connections are decided per request).
 */
export function clientCertAuthenticator(): RequestAuthenticator {
  const perConnection = new WeakMap<TLSSocket, CertOutcome>();
  return {
    authenticate(req: AuthRequest): Promise<UserInfo | undefined> {
      const socket = req.socket;
      if (socket === undefined || typeof socket.getPeerCertificate !== 'function') {
        return Promise.resolve(undefined);
      }
      let outcome: CertOutcome;
      if (perConnection.has(socket)) {
        outcome = perConnection.get(socket);
      } else {
        outcome = fromCertificate(socket);
        if (typeof socket.getProtocol === 'function' && socket.getProtocol() === 'TLSv1.3') {
          perConnection.set(socket, outcome);
        }
      }
      return outcome === 'unauthorized' ? Promise.reject(unauthorized()) : Promise.resolve(outcome);
    },
  };
}
