/**
 * Error text as kubectl's cmdutil.CheckErr prints it: API errors as `Error from server (Reason): …`,
 * Invalid errors with their causes, connection failures as "The connection to the server … was
 * refused", everything else as `error: …`.
 */
import { StatusError } from '../../api/errors.ts';
import { CliError, ErrorList, RawMessageError } from '../command.ts';

// The error classes live in command.ts (loaded on every run); formatting them is this module's job.
export { ErrorList, RawMessageError } from '../command.ts';

/** kubectl's StandardErrorMessage: the text for API and connection errors, undefined for others. */
export function standardErrorMessage(err: unknown, serverHost?: string): string | undefined {
  if (err instanceof StatusError) {
    if (err.reason === 'Unauthorized') {
      return `error: You must be logged in to the server (${err.message})`;
    }
    return err.reason !== undefined && String(err.reason) !== '' ? `Error from server (${err.reason}): ${err.message}` : `Error from server: ${err.message}`;
  }
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number; host?: string };
  if (e instanceof Error && typeof e.code === 'string') {
    const host = e.address !== undefined ? (e.port !== undefined ? `${e.address.includes(':') ? `[${e.address}]` : e.address}:${e.port}` : e.address) : (e.host ?? '');
    if (e.code === 'ECONNREFUSED') {
      return `The connection to the server ${serverHost ?? host} was refused - did you specify the right host or port?`;
    }
    if (['ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPROTO'].includes(e.code) || e.code.startsWith('ERR_TLS') || e.code.includes('CERT')) {
      return `Unable to connect to the server: ${e.message}`;
    }
  }
  return undefined;
}

function invalidMessage(err: StatusError): string {
  const details = err.details;
  let s = 'The request is invalid';
  if (details === undefined) {
    return err.message !== '' ? `${s}: ${err.message}` : s;
  }
  if ((details.kind ?? '') !== '' || (details.name ?? '') !== '') {
    s = `The ${details.kind ?? ''} "${details.name ?? ''}" is invalid`;
  } else if (err.message !== '') {
    s += `: ${err.message}`;
  }
  const causes = details.causes ?? [];
  if (causes.length === 0) {
    return s;
  }
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const c of causes) {
    const line = `${c.field ?? ''}: ${c.message ?? ''}`;
    if (!seen.has(line)) {
      seen.add(line);
      lines.push(line);
    }
  }
  return lines.length === 1 ? `${s}: ${lines[0]}` : `${s}: \n${lines.map((l) => `* ${l}`).join('\n')}`;
}

/** One error's line(s) as kubectl prints it (without the trailing newline); `serverHost` names the server in connection errors. */
export function errorMessage(err: unknown, serverHost?: string): string {
  if (err instanceof ErrorList) {
    return err.errors.map((e) => errorMessage(e, serverHost)).join('\n');
  }
  if (err instanceof RawMessageError) {
    return err.message;
  }
  if (err instanceof StatusError && err.code === 422 && err.reason === 'Invalid') {
    return invalidMessage(err);
  }
  const std = standardErrorMessage(err, serverHost);
  if (std !== undefined) {
    return std;
  }
  const msg = err instanceof Error ? err.message : String(err);
  return msg.startsWith('error: ') ? msg : `error: ${msg}`;
}

/** The exit code for an error (CliError/RawMessageError carry theirs; everything else is 1). */
export function exitCodeOf(err: unknown): number {
  if (err instanceof CliError || err instanceof RawMessageError) {
    return err.exitCode;
  }
  return 1;
}
