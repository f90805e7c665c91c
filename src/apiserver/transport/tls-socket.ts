/** Finds the TLS socket under a request, whichever HTTP version carried it. */
import type { TLSSocket } from 'node:tls';
import type { AnyRequest } from './types.ts';

/** The TLSSocket a request arrived on (the HTTP/2 session's socket for h2 streams). */
export function tlsSocketOf(req: AnyRequest): TLSSocket | undefined {
  if ('stream' in req && req.stream !== undefined) {
    const session = req.stream.session;
    return (session?.socket as TLSSocket | undefined) ?? undefined;
  }
  return req.socket as TLSSocket | undefined;
}
