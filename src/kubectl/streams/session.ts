/**
 * An interactive exec/attach session as kubectl runs it: stdin only with `-i`, a TTY only
 * when stdin is a terminal (raw mode while attached, restored afterwards, sizes sent on
 * SIGWINCH), and the remote exit code turned into kubectl's exit code and message.
 */
import type { Readable, Writable } from 'node:stream';
import type { ReadStream, WriteStream } from 'node:tty';
import type { ClientConnection } from '../../kubeconfig/index.ts';
import type { QueryParams } from '../../client/paths.ts';
import { ExitCodeError, runRemoteCommand } from './remotecommand.ts';
import type { TerminalSize } from './remotecommand.ts';

/** What one session needs. */
export interface PodSessionOptions {
  readonly connection: ClientConnection;
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly subresource: 'exec' | 'attach';
  /** exec only. */
  readonly command?: readonly string[];
  readonly stdinWanted: boolean;
  readonly ttyWanted: boolean;
  readonly quiet: boolean;
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable;
}

function isTerminal(s: Readable): s is ReadStream {
  return (s as Partial<ReadStream>).isTTY === true && typeof (s as Partial<ReadStream>).setRawMode === 'function';
}

/** Current terminal sizes, then one per SIGWINCH, until `stop` resolves. */
async function* terminalSizes(out: Writable, stop: Promise<void>): AsyncGenerator<TerminalSize> {
  const tty = out as Partial<WriteStream>;
  const size = (): TerminalSize => ({ width: tty.columns ?? 0, height: tty.rows ?? 0 });
  yield size();
  let wake: (() => void) | undefined;
  const onWinch = (): void => wake?.();
  process.on('SIGWINCH', onWinch);
  let stopped = false;
  void stop.then(() => {
    stopped = true;
    wake?.();
  });
  try {
    for (;;) {
      await new Promise<void>((r) => (wake = r));
      if (stopped) {
        return;
      }
      yield size();
    }
  } finally {
    process.off('SIGWINCH', onWinch);
  }
}

/** Runs the session; resolves with kubectl's exit code (printing `command terminated with exit code N` as upstream). */
export async function runPodSession(o: PodSessionOptions): Promise<number> {
  let tty = false;
  if (o.stdinWanted && o.ttyWanted) {
    if (isTerminal(o.stdin)) {
      tty = true;
    } else if (!o.quiet) {
      o.stderr.write('Unable to use a TTY - input is not a terminal or the right kind of file\n');
    }
  }
  const query: QueryParams = {
    command: o.command === undefined ? undefined : [...o.command],
    container: o.container,
    stdin: o.stdinWanted ? 'true' : undefined,
    stdout: 'true',
    // With a TTY the remote side merges stderr into stdout, so kubectl does not ask for it.
    stderr: tty ? undefined : 'true',
    tty: tty ? 'true' : undefined,
  };
  let endSizes: () => void = () => undefined;
  const stopSizes = new Promise<void>((r) => (endSizes = r));
  const terminal = tty && isTerminal(o.stdin) ? o.stdin : undefined;
  terminal?.setRawMode(true);
  try {
    await runRemoteCommand({
      connection: o.connection,
      path: `/api/v1/namespaces/${encodeURIComponent(o.namespace)}/pods/${encodeURIComponent(o.pod)}/${o.subresource}`,
      query,
      stdin: o.stdinWanted ? o.stdin : undefined,
      stdout: o.stdout,
      stderr: tty ? undefined : o.stderr,
      resize: tty ? terminalSizes(o.stdout, stopSizes) : undefined,
    });
    return 0;
  } catch (e) {
    if (e instanceof ExitCodeError) {
      o.stderr.write(`command terminated with exit code ${e.exitCode}\n`);
      return e.exitCode;
    }
    throw e;
  } finally {
    endSizes();
    terminal?.setRawMode(false);
  }
}
