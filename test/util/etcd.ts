/**
 * Starts a real etcd (/usr/bin/etcd) for tests and benchmarks, on free loopback ports in a
 * temp dir, like upstream's test/integration/framework/etcd.go. stop() kills it and
 * removes the dir.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { freePort } from './wait.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Serve clients over TLS and require client certificates (PEM contents). */
export interface EtcdTlsOptions {
  readonly caPem: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
  /** Used for the health check; etcd requires a client certificate signed by caPem. */
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
}

/** A running etcd. */
export interface EtcdInstance {
  /** Client URLs (http://127.0.0.1:PORT, or https:// with tls). */
  readonly endpoints: string[];
  /** Kills etcd and removes its data dir; idempotent. */
  stop(): Promise<void>;
}

const etcdBinary = process.env.K8TS_ETCD_BINARY ?? '/usr/bin/etcd';

/** A port the kernel just handed out on loopback (closed again; etcd binds it right after). */
async function healthy(url: string, tls: EtcdTlsOptions | undefined): Promise<boolean> {
  try {
    if (!tls) {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      return ((await res.json()) as { health?: unknown }).health === 'true';
    }
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(
        `${url}/health`,
        { ca: tls.caPem, cert: tls.clientCertPem, key: tls.clientKeyPem, timeout: 1000 },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d)).on('end', () => resolve(text)).on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout'))).on('error', reject).end();
    });
    return (JSON.parse(body) as { health?: unknown }).health === 'true';
  } catch {
    return false;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
    } else {
      child.once('exit', () => resolve());
    }
  });
}

/** Starts etcd and resolves once /health answers true (rejects after 30 s or if etcd exits). */
export async function startEtcd(opts: { tls?: EtcdTlsOptions } = {}): Promise<EtcdInstance> {
  const { tls } = opts;
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-etcd-'));
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const client = `${tls ? 'https' : 'http'}://127.0.0.1:${clientPort}`;
  const tlsFlags: string[] = [];
  if (tls) {
    await writeFile(join(dir, 'ca.crt'), tls.caPem);
    await writeFile(join(dir, 'server.crt'), tls.serverCertPem);
    await writeFile(join(dir, 'server.key'), tls.serverKeyPem, { mode: 0o600 });
    tlsFlags.push(
      '--cert-file', join(dir, 'server.crt'),
      '--key-file', join(dir, 'server.key'),
      '--trusted-ca-file', join(dir, 'ca.crt'),
      '--client-cert-auth',
    );
  }
  const peer = `http://127.0.0.1:${peerPort}`;
  // Drop any ETCD_* settings from the environment: flags below are the whole config.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD_')));
  const child = spawn(
    etcdBinary,
    [
      '--name', 'k8ts-test',
      '--data-dir', join(dir, 'data'),
      '--listen-client-urls', client,
      '--advertise-client-urls', client,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `k8ts-test=${peer}`,
      '--initial-cluster-state', 'new',
      '--log-level', 'error',
      '--logger', 'zap',
      ...tlsFlags,
    ],
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  // If the test process exits without calling stop(), do not leave etcd running.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (!stopped) {
      stopped = true;
      process.off('exit', killOnExit);
      const gone = exited(child);
      child.kill('SIGKILL');
      await gone;
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`etcd exited early (${child.exitCode ?? child.signalCode}): ${stderr}`);
      }
      if (await healthy(client, tls)) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`etcd did not become healthy in 30s: ${stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoints: [client], stop };
}
