/**
 * Client-certificate authentication, as upstream's x509 authenticator: a peer certificate that
 * chains to the client CA and allows clientAuth names the user (CN) and groups (O).
 */
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

/**
 * Authenticates from the TLS peer certificate. The TLS server must have been started with
 * `requestCert: true` and the client CA as `ca`, so Node has already verified the chain.
 */
export function clientCertAuthenticator(): RequestAuthenticator {
  return {
    authenticate(req: AuthRequest): Promise<UserInfo | undefined> {
      const socket = req.socket;
      if (socket === undefined || typeof socket.getPeerCertificate !== 'function') {
        return Promise.resolve(undefined);
      }
      const cert = socket.getPeerCertificate();
      if (cert === null || Object.keys(cert).length === 0) {
        return Promise.resolve(undefined);
      }
      // A presented but unverifiable certificate is an authentication failure, not anonymity.
      if (!socket.authorized) {
        return Promise.reject(unauthorized());
      }
      const eku = cert.ext_key_usage;
      if (Array.isArray(eku) && eku.length > 0 && !eku.includes(CLIENT_AUTH_OID) && !eku.includes(ANY_EKU_OID)) {
        return Promise.reject(unauthorized());
      }
      const cn = values(cert.subject.CN)[0];
      if (cn === undefined || cn === '') {
        return Promise.reject(unauthorized());
      }
      return Promise.resolve({ username: cn, groups: values(cert.subject.O) });
    },
  };
}
