/**
 * A minimal HTTPS JSON client for end-to-end tests that need requests kubectl cannot make
 * (streams of raw creates, watches from a chosen resourceVersion). Trusts the cluster CA
 * from the kubeconfig and authenticates with the admin bearer token.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { parse as parseYaml } from 'yaml';

export interface HttpResult {
  readonly status: number;
  readonly body: string;
  json<T = unknown>(): T;
}

export interface TestApiClient {
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult>;
  /** Opens a watch; calls onEvent per decoded line; resolves with a stop function once headers arrive. */
  watch(path: string, onEvent: (e: { type: string; object: Record<string, unknown> }) => void): Promise<{ status: number; stop(): void; ended: Promise<void> }>;
  close(): void;
}

/** The cluster CA from a kubeconfig's certificate-authority-data. */
export function caFromKubeconfig(path: string): string {
  const kc = parseYaml(readFileSync(path, 'utf8')) as { clusters: { cluster: { 'certificate-authority-data': string } }[] };
  return Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString('utf8');
}

export function testApiClient(baseUrl: string, kubeconfig: string, token: string | undefined): TestApiClient {
  const agent = new Agent({ ca: caFromKubeconfig(kubeconfig), keepAlive: true, maxSockets: 64 });
  const auth: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  return {
    request(method, path, body, headers = {}) {
      return new Promise((resolve, reject) => {
        const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
        const req = request(`${baseUrl}${path}`, { method, agent, headers: { ...auth, accept: 'application/json', ...(data === undefined ? {} : { 'content-type': 'application/json' }), ...headers } }, (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, json: <T>() => JSON.parse(text) as T }));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(data);
      });
    },
    watch(path, onEvent) {
      return new Promise((resolve, reject) => {
        const req = request(`${baseUrl}${path}`, { method: 'GET', agent: false, ca: caFromKubeconfig(kubeconfig), headers: { ...auth, accept: 'application/json' } }, (res) => {
          let buf = '';
          const ended = new Promise<void>((done) => {
            res.on('end', done);
            res.on('close', done);
          });
          res.setEncoding('utf8').on('data', (d: string) => {
            buf += d;
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl).trim();
              buf = buf.slice(nl + 1);
              if (line !== '') {
                onEvent(JSON.parse(line) as { type: string; object: Record<string, unknown> });
              }
            }
          });
          res.on('error', () => undefined);
          resolve({ status: res.statusCode ?? 0, stop: () => req.destroy(), ended });
        });
        req.on('error', reject);
        req.end();
      });
    },
    close() {
      agent.destroy();
    },
  };
}
