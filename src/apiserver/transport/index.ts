/** The apiserver's TLS + HTTP/2 + HTTP/1.1 listener with authentication in front. */
export { rejectUpgrade, startSecureServer } from './server.ts';
export type { SecureServer, SecureServerOptions } from './server.ts';
export type { ApiHandler, UpgradeHandler, AnyRequest, AnyResponse } from './types.ts';
export { tlsSocketOf } from './tls-socket.ts';
