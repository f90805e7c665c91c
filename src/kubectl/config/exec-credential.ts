/**
 * Exec credential plugins (client.authentication.k8s.io/v1 and v1beta1): runs `users[].user.exec`
 * with KUBERNETES_EXEC_INFO set, and returns the token or client certificate it prints as an
 * ExecCredential. Errors are worded like client-go's (`getting credentials: …`).
 */
import { spawn } from 'node:child_process';
import { CliError } from '../command.ts';
import { RawMessageError } from '../cli/errors.ts';

/** Plugin failures surface from the transport, so kubectl prints them as connection errors. */
function failure(message: string): RawMessageError {
  return new RawMessageError(`Unable to connect to the server: getting credentials: ${message}`);
}

/** What a plugin handed back. */
export interface ExecCredentialStatus {
  readonly token?: string;
  readonly clientCertificateData?: string;
  readonly clientKeyData?: string;
}

interface ExecConfig {
  command?: unknown;
  args?: unknown;
  env?: unknown;
  apiVersion?: unknown;
  installHint?: unknown;
  provideClusterInfo?: unknown;
  interactiveMode?: unknown;
}

/** Runs the plugin described by `exec` (a kubeconfig user's `exec` stanza). */
export async function runExecPlugin(userName: string, exec: ExecConfig, cluster: { readonly server: string; readonly caData?: string; readonly insecure: boolean }, parentEnv: NodeJS.ProcessEnv): Promise<ExecCredentialStatus> {
  const command = typeof exec.command === 'string' ? exec.command : '';
  const apiVersion = typeof exec.apiVersion === 'string' ? exec.apiVersion : '';
  if (command === '') {
    throw new CliError('getting credentials: exec plugin: invalid apiVersion or missing command');
  }
  if (apiVersion !== 'client.authentication.k8s.io/v1' && apiVersion !== 'client.authentication.k8s.io/v1beta1') {
    throw new CliError(`getting credentials: exec plugin: invalid apiVersion "${apiVersion}"`);
  }
  if (apiVersion === 'client.authentication.k8s.io/v1' && (typeof exec.interactiveMode !== 'string' || exec.interactiveMode === '')) {
    throw new CliError(`interactiveMode must be specified for ${userName} to use exec authentication plugin`);
  }
  const args = Array.isArray(exec.args) ? exec.args.filter((a): a is string => typeof a === 'string') : [];
  const env: NodeJS.ProcessEnv = { ...parentEnv };
  for (const e of Array.isArray(exec.env) ? (exec.env as { name?: unknown; value?: unknown }[]) : []) {
    if (typeof e.name === 'string') {
      env[e.name] = typeof e.value === 'string' ? e.value : '';
    }
  }
  const spec: Record<string, unknown> = { interactive: false };
  if (exec.provideClusterInfo === true) {
    spec.cluster = { server: cluster.server, 'certificate-authority-data': cluster.caData, 'insecure-skip-tls-verify': cluster.insecure };
  }
  env.KUBERNETES_EXEC_INFO = JSON.stringify({ kind: 'ExecCredential', apiVersion, spec });
  const { code, stdout, error } = await new Promise<{ code: number; stdout: string; error?: NodeJS.ErrnoException }>((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', (e: NodeJS.ErrnoException) => resolve({ code: -1, stdout: '', error: e }));
    child.on('close', (c) => resolve({ code: c ?? 1, stdout: out }));
  });
  const hint = typeof exec.installHint === 'string' && exec.installHint !== '' ? `\n\n${exec.installHint}` : '';
  if (error !== undefined) {
    throw command.includes('/') ? failure(`exec: fork/exec ${command}: no such file or directory`) : failure(`exec: executable ${command} not found${hint}`);
  }
  if (code !== 0) {
    throw failure(`exec: executable ${command} failed with exit code ${code}`);
  }
  let cred: { apiVersion?: unknown; kind?: unknown; status?: ExecCredentialStatus };
  try {
    cred = JSON.parse(stdout) as typeof cred;
  } catch {
    throw failure(`decoding stdout: couldn't get version/kind; json parse error`);
  }
  if (cred.apiVersion !== apiVersion) {
    throw failure(`exec plugin is configured to use API version ${apiVersion}, plugin returned version ${String(cred.apiVersion)}`);
  }
  const status = cred.status ?? {};
  if ((status.token ?? '') === '' && ((status.clientCertificateData ?? '') === '' || (status.clientKeyData ?? '') === '')) {
    throw failure("exec plugin didn't return a token or cert/key pair");
  }
  return status;
}
