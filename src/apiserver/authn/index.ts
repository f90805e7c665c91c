/**
 * Request authentication: a union of authenticators tried in upstream's order (client
 * certificate, then bearer tokens). The first that recognises credentials decides; a request
 * with no credentials at all is anonymous (undefined), and bad credentials are a 401.
 */
import type { UserInfo } from '../registry/types.ts';
import { bearerTokenAuthenticator } from './bearer.ts';
import { withAuthenticatedGroup } from './types.ts';
import type { AuthRequest, RequestAuthenticator, TokenAuthenticator } from './types.ts';
import { clientCertAuthenticator } from './x509.ts';

export type { AuthRequest, RequestAuthenticator, TokenAuthenticator } from './types.ts';
export { AUTHENTICATED_GROUP, withAuthenticatedGroup } from './types.ts';
export { clientCertAuthenticator } from './x509.ts';
export { bearerTokenAuthenticator, bearerTokenOf } from './bearer.ts';
export { parseTokenFile, staticTokenAuthenticator, tokenFileAuthenticator, generateToken, tokenFileLine, ADMIN_TOKEN_USER, ADMIN_TOKEN_GROUPS } from './token-file.ts';
export { ensureTokenFile } from './ensure-token-file.ts';
export { isPublicPath, PUBLIC_PATHS } from './public-paths.ts';
export { issueServiceAccountToken, serviceAccountTokenAuthenticator, keyIdOf, DEFAULT_SERVICE_ACCOUNT_ISSUER } from './service-account.ts';
export type { ServiceAccountTokenRequest, IssuedToken, ServiceAccountAuthenticatorOptions } from './service-account.ts';

/** Authenticates a request: a user, `undefined` (anonymous), or a thrown 401 StatusError. */
export type Authenticate = (req: AuthRequest) => Promise<UserInfo | undefined>;

/** Options for the apiserver's authentication chain. */
export interface AuthenticationOptions {
  /** Accept client certificates (the TLS server verifies them against the client CA). */
  readonly clientCertificates: boolean;
  /** Bearer token checkers, tried in order (token file, later service-account JWTs). */
  readonly tokenAuthenticators: readonly TokenAuthenticator[];
}

/** The union authenticator; adds system:authenticated to every authenticated user. */
export function createAuthenticator(opts: AuthenticationOptions): Authenticate {
  const chain: RequestAuthenticator[] = [];
  if (opts.clientCertificates) {
    chain.push(clientCertAuthenticator());
  }
  if (opts.tokenAuthenticators.length > 0) {
    chain.push(bearerTokenAuthenticator(opts.tokenAuthenticators));
  }
  return async (req) => {
    for (const a of chain) {
      const user = await a.authenticate(req);
      if (user !== undefined) {
        return withAuthenticatedGroup(user);
      }
    }
    return undefined;
  };
}
