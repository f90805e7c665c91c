/**
 * `--use-service-account-credentials`, as upstream's controller client builder: each controller
 * talks to the apiserver as its own ServiceAccount `kube-system/<name>` (created if missing), with
 * a bound token from the TokenRequest API that is renewed well before it expires. The
 * `system:controller:<name>` ClusterRoles of the bootstrap policy then authorize it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/object.ts';
import { RestClient } from '../../client/index.ts';
import type { ClientLogger, RestClientOptions } from '../../client/index.ts';

/** Where controller service accounts live (upstream: kube-system). */
export const CONTROLLER_SA_NAMESPACE = 'kube-system';
/** Lifetime asked of each token (upstream's controller tokens: one hour). */
const TOKEN_SECONDS = 3600;
/** Renew at this fraction of the lifetime; RestClient re-reads its token file every minute, so this leaves ample margin. */
const RENEW_AT = 0.8;
const RETRY_MS = 10_000;

type TokenRequest = KubeObject & { readonly status?: { readonly token?: string; readonly expirationTimestamp?: string } };

/** Issues and renews per-controller service-account tokens; one token file per service account. */
export class ServiceAccountCredentials {
  readonly #root: RestClient;
  readonly #logger: ClientLogger;
  readonly #dir: string;
  readonly #tokens = new Map<string, Promise<string>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  /** `root` is the manager's own client (system:kube-controller-manager may create SAs and their tokens). */
  constructor(root: RestClient, logger: ClientLogger) {
    this.#root = root;
    this.#logger = logger;
    // Private to this process (0700), removed on close.
    this.#dir = mkdtempSync(join(tmpdir(), 'k8ts-controller-tokens-'));
  }

  /** A client authenticating as `kube-system/<serviceAccount>` (the root connection's server and CA, no client certificate). */
  async clientFor(serviceAccount: string, opts: Omit<RestClientOptions, 'connection' | 'tokenFile'>): Promise<RestClient> {
    let file = this.#tokens.get(serviceAccount);
    if (file === undefined) {
      file = this.#start(serviceAccount);
      this.#tokens.set(serviceAccount, file);
    }
    const tokenFile = await file;
    const { certPem: _cert, keyPem: _key, ...rest } = this.#root.connection;
    return new RestClient({ ...opts, tokenFile, connection: { ...rest, token: undefined } });
  }

  async #start(serviceAccount: string): Promise<string> {
    await this.#ensureServiceAccount(serviceAccount);
    const file = join(this.#dir, `${serviceAccount}.token`);
    const expiresAt = await this.#issue(serviceAccount, file);
    this.#scheduleRenewal(serviceAccount, file, expiresAt);
    return file;
  }

  async #ensureServiceAccount(name: string): Promise<void> {
    const ref = { group: '', version: 'v1', resource: 'serviceaccounts', namespace: CONTROLLER_SA_NAMESPACE };
    try {
      await this.#root.get({ ...ref, name });
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) {
        throw e;
      }
      try {
        await this.#root.create(ref, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: CONTROLLER_SA_NAMESPACE } });
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 409)) {
          throw err;
        }
      }
    }
  }

  /** Asks for a fresh token, writes it to `file`, and returns when it expires (ms since epoch). */
  async #issue(serviceAccount: string, file: string): Promise<number> {
    const res = await this.#root.create<TokenRequest>(
      { group: '', version: 'v1', resource: 'serviceaccounts', namespace: CONTROLLER_SA_NAMESPACE, name: serviceAccount, subresource: 'token' },
      { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { audiences: [], expirationSeconds: TOKEN_SECONDS } },
    );
    const token = res.status?.token;
    if (token === undefined || token === '') {
      throw new Error(`TokenRequest for ${CONTROLLER_SA_NAMESPACE}/${serviceAccount} returned no token`);
    }
    writeFileSync(file, token, { mode: 0o600 });
    const exp = Date.parse(res.status?.expirationTimestamp ?? '');
    return Number.isFinite(exp) ? exp : Date.now() + TOKEN_SECONDS * 1000;
  }

  #scheduleRenewal(serviceAccount: string, file: string, expiresAt: number): void {
    if (this.#closed) {
      return;
    }
    const lifetime = Math.max(0, expiresAt - Date.now());
    this.#after(lifetime * RENEW_AT, async () => {
      try {
        this.#scheduleRenewal(serviceAccount, file, await this.#issue(serviceAccount, file));
      } catch (e) {
        this.#logger('warning', `controller-manager: renewing the token of ${CONTROLLER_SA_NAMESPACE}/${serviceAccount}: ${(e as Error).message}; retrying`);
        this.#scheduleRenewal(serviceAccount, file, Date.now() + RETRY_MS / RENEW_AT);
      }
    });
  }

  #after(ms: number, fn: () => Promise<void>): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      void fn();
    }, ms);
    t.unref();
    this.#timers.add(t);
  }

  /** Stops renewing and removes the token files. */
  close(): void {
    this.#closed = true;
    for (const t of this.#timers) {
      clearTimeout(t);
    }
    this.#timers.clear();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
