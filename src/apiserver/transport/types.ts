/** What the transport hands requests to: the HTTP layer's handler and the upgrade hook. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { UserInfo } from '../registry/types.ts';

/** A request arriving over HTTP/2 or HTTP/1.1 (Node's compat API makes them alike). */
export type AnyRequest = IncomingMessage | Http2ServerRequest;
export type AnyResponse = ServerResponse | Http2ServerResponse;

/**
 * The HTTP layer's entry point: called once per authenticated request (user set) or anonymous
 * request to a public path (user undefined). It owns the response from then on.
 */
export type ApiHandler = (req: AnyRequest, res: AnyResponse, user: UserInfo | undefined) => void | Promise<void>;

/**
 * HTTP/1.1 Upgrade requests (WebSocket / SPDY for exec, attach, port-forward). Only
 * authenticated requests get here; the hook owns the socket from then on.
 */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, user: UserInfo) => void | Promise<void>;
