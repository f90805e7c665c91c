/** Turns a kubeconfig context into the connection details a client needs (files read, data decoded). */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Kubeconfig } from './types.ts';

/** Where and how to connect: PEMs are decoded text; absent fields are undefined. */
export interface ClientConnection {
  readonly server: string;
  readonly caPem?: string;
  readonly certPem?: string;
  readonly keyPem?: string;
  readonly token?: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly namespace: string;
}

async function dataOrFile(data: string | undefined, file: string | undefined, baseDir: string): Promise<string | undefined> {
  if (data !== undefined && data !== '') {
    return Buffer.from(data, 'base64').toString('utf8');
  }
  if (file !== undefined && file !== '') {
    // Relative paths in a kubeconfig are relative to the file, as in client-go.
    return readFile(isAbsolute(file) ? file : resolve(baseDir, file), 'utf8');
  }
  return undefined;
}

/** Resolves `contextName` (default: current-context). `path` is the file's path, for relative references. */
export async function resolveContext(cfg: Kubeconfig, contextName?: string, path?: string): Promise<ClientConnection> {
  const name = contextName ?? cfg['current-context'];
  const ctx = cfg.contexts.find((c) => c.name === name);
  if (ctx === undefined) {
    throw new Error(`kubeconfig: context "${name}" not found`);
  }
  const cluster = cfg.clusters.find((c) => c.name === ctx.context.cluster)?.cluster;
  if (cluster === undefined) {
    throw new Error(`kubeconfig: cluster "${ctx.context.cluster}" not found`);
  }
  const user = cfg.users.find((u) => u.name === ctx.context.user)?.user ?? {};
  const base = path === undefined ? process.cwd() : dirname(path);
  const tokenFromFile = user.tokenFile !== undefined ? (await readFile(resolve(base, user.tokenFile), 'utf8')).trim() : undefined;
  return {
    server: cluster.server,
    caPem: await dataOrFile(cluster['certificate-authority-data'], cluster['certificate-authority'], base),
    certPem: await dataOrFile(user['client-certificate-data'], user['client-certificate'], base),
    keyPem: await dataOrFile(user['client-key-data'], user['client-key'], base),
    token: user.token ?? tokenFromFile,
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    namespace: ctx.context.namespace ?? 'default',
  };
}
