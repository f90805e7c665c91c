/**
 * The client side of the `v5.channel.k8s.io` remote-command protocol (exec and attach), as
 * kubectl 1.35 speaks it over WebSocket: binary messages whose first byte is the channel —
 * 0 stdin, 1 stdout, 2 stderr, 3 error (a metav1.Status), 4 resize (`{"Width":w,"Height":h}`),
 * 255 close (`[255, 0]` says stdin ended).
 */
import type { Readable, Writable } from 'node:stream';
import type WebSocket from 'ws';
import type { ClientConnection } from '../../kubeconfig/index.ts';
import type { QueryParams } from '../../client/paths.ts';
import { openWebSocket } from './websocket.ts';

/** The channel numbers of the stream protocol. */
export const StreamChannel = { Stdin: 0, Stdout: 1, Stderr: 2, Error: 3, Resize: 4, Close: 255 } as const;

/** A terminal size as the resize channel carries it. */
export interface TerminalSize {
  readonly width: number;
  readonly height: number;
}

/** A remote command that ended with a non-zero exit code (kubectl prints `command terminated with exit code N`). */
export class ExitCodeError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number) {
    super(message);
    this.name = 'ExitCodeError';
    this.exitCode = exitCode;
  }
}

/** What to connect and where its streams go. */
export interface RemoteCommandOptions {
  readonly connection: ClientConnection;
  /** `/api/v1/namespaces/ns/pods/name/exec` or `.../attach`. */
  readonly path: string;
  readonly query: QueryParams;
  readonly stdin?: Readable;
  readonly stdout?: Writable;
  readonly stderr?: Writable;
  /** Sizes to send on the resize channel: the first right away, later ones as they come. */
  readonly resize?: AsyncIterable<TerminalSize>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Turns the Status on the error channel into the outcome, as client-go's errorDecoderV4:
 * Success → undefined; NonZeroExitCode → ExitCodeError; any other failure → Error(message).
 */
export function decodeStatus(text: string): Error | undefined {
  let status: unknown;
  try {
    status = JSON.parse(text);
  } catch {
    return new Error(`error stream protocol error: ${text}`);
  }
  if (!isRecord(status)) {
    return new Error('error stream protocol error: unknown error');
  }
  if (status.status === 'Success') {
    return undefined;
  }
  if (status.status !== 'Failure') {
    return new Error('error stream protocol error: unknown error');
  }
  const message = typeof status.message === 'string' ? status.message : '';
  if (status.reason === 'NonZeroExitCode') {
    const causes = isRecord(status.details) && Array.isArray(status.details.causes) ? status.details.causes : [];
    for (const cause of causes) {
      if (isRecord(cause) && cause.reason === 'ExitCode') {
        const code = Number(cause.message);
        if (!Number.isInteger(code)) {
          return new Error(`error stream protocol error: invalid exit code value ${JSON.stringify(cause.message)}`);
        }
        return new ExitCodeError(`command terminated with non-zero exit code: ${message}`, code);
      }
    }
    return new Error(`error stream protocol error: no exit code value`);
  }
  return new Error(message);
}

function sendFrame(ws: WebSocket, channel: number, data: Buffer): void {
  if (ws.readyState === ws.OPEN) {
    ws.send(Buffer.concat([Buffer.from([channel]), data]));
  }
}

function writeTo(w: Writable, data: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (w.write(data)) {
      resolve();
    } else {
      w.once('drain', resolve);
    }
  });
}

/** Runs one exec/attach session to its end; resolves on success, rejects with ExitCodeError / Error / StatusError. */
export async function runRemoteCommand(opts: RemoteCommandOptions): Promise<void> {
  const ws = await openWebSocket(opts.connection, opts.path, opts.query, ['v5.channel.k8s.io']);
  const { stdin, stdout, stderr } = opts;
  let failure: Error | undefined;
  // Output is written in arrival order; a slow stdout pauses the socket instead of buffering without bound.
  let writes = Promise.resolve();
  const result = new Promise<void>((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      if (data.length === 0) {
        return;
      }
      const channel = data[0];
      const payload = data.subarray(1);
      if (channel === StreamChannel.Stdout && stdout !== undefined) {
        writes = writes.then(() => writeTo(stdout, payload));
      } else if (channel === StreamChannel.Stderr && stderr !== undefined) {
        writes = writes.then(() => writeTo(stderr, payload));
      } else if (channel === StreamChannel.Error) {
        failure = decodeStatus(payload.toString('utf8'));
      }
    });
    ws.on('error', (e) => {
      failure ??= e;
    });
    ws.on('close', () => {
      void writes.then(() => (failure === undefined ? resolve() : reject(failure)));
    });
  });
  if (opts.resize !== undefined) {
    void (async () => {
      for await (const size of opts.resize ?? []) {
        if (ws.readyState !== ws.OPEN) {
          break;
        }
        sendFrame(ws, StreamChannel.Resize, Buffer.from(`${JSON.stringify({ Width: size.width, Height: size.height })}\n`));
      }
    })().catch(() => undefined);
  }
  const onData = (d: Buffer | string): void => sendFrame(ws, StreamChannel.Stdin, Buffer.isBuffer(d) ? d : Buffer.from(d));
  const onEnd = (): void => sendFrame(ws, StreamChannel.Close, Buffer.from([StreamChannel.Stdin]));
  if (stdin !== undefined) {
    stdin.on('data', onData);
    stdin.once('end', onEnd);
  }
  try {
    await result;
  } finally {
    if (stdin !== undefined) {
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      stdin.pause();
    }
  }
}
