/**
 * Bearer tokens, from `Authorization: Bearer <token>` or (for browsers' WebSockets, as upstream)
 * the `base64url.bearer.authorization.k8s.io.<token>` WebSocket subprotocol.
 */
import { unauthorized } from '../../api/errors.ts';
import type { UserInfo } from '../registry/types.ts';
import type { AuthRequest, RequestAuthenticator, TokenAuthenticator } from './types.ts';

const WS_BEARER_PREFIX = 'base64url.bearer.authorization.k8s.io.';

/** The bearer token a request carries, or undefined. */
export function bearerTokenOf(headers: AuthRequest['headers']): string | undefined {
  const auth = headers.authorization;
  if (auth !== undefined) {
    const m = /^\s*bearer\s+(\S+)\s*$/i.exec(auth);
    if (m !== null) {
      return m[1];
    }
  }
  const protocols = headers['sec-websocket-protocol'];
  if (typeof protocols === 'string' && (headers.upgrade ?? '').toLowerCase() === 'websocket') {
    for (const p of protocols.split(',').map((s) => s.trim())) {
      if (p.startsWith(WS_BEARER_PREFIX)) {
        const token = Buffer.from(p.slice(WS_BEARER_PREFIX.length), 'base64url').toString('utf8');
        if (token !== '') {
          return token;
        }
      }
    }
  }
  return undefined;
}

/** Tries each token authenticator in order; a token none of them accepts is a 401, not anonymous. */
export function bearerTokenAuthenticator(tokenAuthenticators: readonly TokenAuthenticator[]): RequestAuthenticator {
  return {
    async authenticate(req: AuthRequest): Promise<UserInfo | undefined> {
      const token = bearerTokenOf(req.headers);
      if (token === undefined) {
        return undefined;
      }
      for (const a of tokenAuthenticators) {
        const user = await a.authenticateToken(token);
        if (user !== undefined) {
          return user;
        }
      }
      throw unauthorized();
    },
  };
}
