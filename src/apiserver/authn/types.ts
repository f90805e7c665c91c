/** Authentication contracts: who a request is, decided from its TLS peer and headers. */
import type { IncomingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { UserInfo } from '../registry/types.ts';

/** What an authenticator may look at: the TLS connection and the request headers. */
export interface AuthRequest {
  readonly socket: TLSSocket | undefined;
  readonly headers: IncomingHttpHeaders;
}

/**
 * The outcome of one authenticator: `undefined` when the request carries no credentials of its
 * kind (the next one is tried); a user when they are valid. Invalid credentials throw (401).
 */
export type AuthenticatorResult = UserInfo | undefined;

/** One way of authenticating (client certificate, token file, service-account JWT, ...). */
export interface RequestAuthenticator {
  authenticate(req: AuthRequest): Promise<AuthenticatorResult>;
}

/** Checks one bearer token: `undefined` when the token is not one this authenticator knows. */
export interface TokenAuthenticator {
  authenticateToken(token: string): Promise<UserInfo | undefined>;
}

/** Every authenticated user is also in this group (upstream adds it after authentication). */
export const AUTHENTICATED_GROUP = 'system:authenticated';

/** `user` with system:authenticated added once. */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  return user.groups.includes(AUTHENTICATED_GROUP) ? user : { ...user, groups: [...user.groups, AUTHENTICATED_GROUP] };
}
