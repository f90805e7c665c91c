/**
 * Pulls images from registries speaking the Distribution API v2: manifests (OCI and Docker
 * schema 2, indexes resolved to linux/<arch>), then the config and layer blobs, verified by
 * digest. Authentication follows the WWW-Authenticate challenge: Basic, or Bearer via the
 * token endpoint (anonymously or with the host's credentials). Plain HTTP is used only for
 * loopback registries; mirrors from registries.yaml are tried before the registry itself.
 */
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { HttpResponse } from './http.ts';
import { httpFetch } from './http.ts';
import { formatReference, parseReference, repositoryName } from './reference.ts';
import type { ImageReference } from './reference.ts';
import type { RegistriesConfig, RegistryAuth, RegistryHostConfig } from './registries.ts';
import { basicCredentials, emptyRegistriesConfig } from './registries.ts';
import type { ImageStore } from './store.ts';
import type { ImageIndex, ImageManifest, ImageRecord } from './types.ts';
import { MediaType, pickPlatform } from './types.ts';

/** Options for a pull. */
export interface PullOptions {
  /** Credentials for this pull (e.g. from an imagePullSecret); win over registries.yaml. */
  readonly auth?: RegistryAuth;
  readonly registries?: RegistriesConfig;
}

/** A registry answered with an error. */
export class PullError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.name = 'PullError';
    this.status = status;
  }
}

function isLoopback(host: string): boolean {
  const h = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/** The base URL of a registry host: Docker Hub's API host, http for loopback, https otherwise. */
export function registryEndpoint(domain: string): string {
  if (domain === 'docker.io') {
    return 'https://registry-1.docker.io';
  }
  return `${isLoopback(domain) ? 'http' : 'https'}://${domain}`;
}

/** Talks to one registry endpoint for one repository, keeping its bearer token. */
class RegistryClient {
  private readonly base: string;
  private readonly repo: string;
  private readonly auth: RegistryAuth | undefined;
  private readonly tls: RegistryHostConfig;
  private caPem: string | undefined;
  private authorization: string | undefined;

  constructor(base: string, repo: string, auth: RegistryAuth | undefined, tls: RegistryHostConfig) {
    this.base = base.replace(/\/+$/, '').replace(/\/v2$/, '');
    this.repo = repo;
    this.auth = auth;
    this.tls = tls;
  }

  private async request(path: string, headers: Record<string, string>, toFile?: string): Promise<HttpResponse> {
    if (this.tls.caFile !== undefined && this.caPem === undefined) {
      this.caPem = await readFile(this.tls.caFile, 'utf8');
    }
    const send = (): Promise<HttpResponse> => httpFetch(`${this.base}${path}`, {
      headers: { ...headers, ...(this.authorization !== undefined ? { Authorization: this.authorization } : {}) },
      insecureSkipVerify: this.tls.insecureSkipVerify, caPem: this.caPem, toFile,
    });
    let res = await send();
    if (res.status === 401 && this.authorization === undefined) {
      const challenge = String(res.headers['www-authenticate'] ?? '');
      this.authorization = await this.answer(challenge);
      if (this.authorization !== undefined) {
        res = await send();
      }
    }
    return res;
  }

  /** Turns a WWW-Authenticate challenge into an Authorization header value. */
  private async answer(challenge: string): Promise<string | undefined> {
    const creds = basicCredentials(this.auth);
    const scheme = challenge.split(' ')[0]?.toLowerCase();
    if (scheme === 'basic') {
      return creds === undefined ? undefined : `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    if (scheme !== 'bearer') {
      return undefined;
    }
    const params: Record<string, string> = {};
    for (const m of challenge.slice(7).matchAll(/(\w+)="([^"]*)"/g)) {
      params[m[1]] = m[2];
    }
    if (params.realm === undefined) {
      return undefined;
    }
    const url = new URL(params.realm);
    if (params.service !== undefined) {
      url.searchParams.set('service', params.service);
    }
    url.searchParams.set('scope', params.scope ?? `repository:${this.repo}:pull`);
    const headers: Record<string, string> = {};
    if (creds !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    } else if (this.auth?.identityToken !== undefined) {
      headers.Authorization = `Basic ${Buffer.from(`<token>:${this.auth.identityToken}`).toString('base64')}`;
    }
    const res = await httpFetch(url.href, { headers, insecureSkipVerify: this.tls.insecureSkipVerify, caPem: this.caPem });
    if (res.status !== 200) {
      throw new PullError(`token request to ${url.origin} failed: ${res.status} ${res.body.toString('utf8').slice(0, 200)}`, res.status);
    }
    const body = JSON.parse(res.body.toString('utf8')) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    return token === undefined ? undefined : `Bearer ${token}`;
  }

  /** Fetches a manifest or index by tag or digest. */
  async manifest(reference: string): Promise<{ bytes: Buffer; mediaType: string; digest: string }> {
    const accept = [MediaType.OciManifest, MediaType.DockerManifest, MediaType.OciIndex, MediaType.DockerManifestList].join(', ');
    const res = await this.request(`/v2/${this.repo}/manifests/${reference}`, { Accept: accept });
    if (res.status !== 200) {
      throw new PullError(`GET manifest ${this.repo}:${reference} from ${this.base}: ${res.status} ${res.body.toString('utf8').slice(0, 300)}`, res.status);
    }
    const digest = `sha256:${createHash('sha256').update(res.body).digest('hex')}`;
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw new PullError(`manifest digest mismatch: asked for ${reference}, got ${digest}`, 0);
    }
    const parsed = JSON.parse(res.body.toString('utf8')) as { mediaType?: string; manifests?: unknown };
    const mediaType = parsed.mediaType ?? (String(res.headers['content-type'] ?? '') || (parsed.manifests !== undefined ? MediaType.OciIndex : MediaType.OciManifest));
    return { bytes: res.body, mediaType, digest };
  }

  /** Downloads a blob into a file. */
  async blob(digest: string, file: string): Promise<void> {
    const res = await this.request(`/v2/${this.repo}/blobs/${digest}`, {}, file);
    if (res.status !== 200) {
      throw new PullError(`GET blob ${digest} from ${this.base}: ${res.status}`, res.status);
    }
  }
}

function endpointsFor(ref: ImageReference, registries: RegistriesConfig): string[] {
  const mirrors = registries.mirrors[ref.domain] ?? registries.mirrors['*'] ?? [];
  return [...mirrors, registryEndpoint(ref.domain)];
}

function hostConfig(endpoint: string, registries: RegistriesConfig): RegistryHostConfig {
  const host = new URL(endpoint).host;
  return registries.configs[host] ?? (host === 'registry-1.docker.io' ? registries.configs['docker.io'] : undefined) ?? {};
}

/** Pulls `ref` into the store, trying mirrors first; resolves with the image record. */
export async function pullImage(store: ImageStore, refText: string, options: PullOptions = {}): Promise<ImageRecord> {
  const ref = parseReference(refText);
  const registries = options.registries ?? emptyRegistriesConfig;
  let lastError: unknown;
  for (const endpoint of endpointsFor(ref, registries)) {
    const cfg = hostConfig(endpoint, registries);
    const client = new RegistryClient(endpoint, ref.path, options.auth ?? cfg.auth ?? registries.configs[ref.domain]?.auth, cfg);
    try {
      return await pullFrom(store, client, ref);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

async function pullFrom(store: ImageStore, client: RegistryClient, ref: ImageReference): Promise<ImageRecord> {
  await store.init();
  const top = await client.manifest(ref.digest ?? ref.tag ?? 'latest');
  let manifestDoc = JSON.parse(top.bytes.toString('utf8')) as ImageManifest | ImageIndex;
  if ('manifests' in manifestDoc) {
    const chosen = pickPlatform(manifestDoc);
    manifestDoc = JSON.parse((await client.manifest(chosen.digest)).bytes.toString('utf8')) as ImageManifest;
  }
  const manifest = manifestDoc as ImageManifest;
  if (manifest.config === undefined || !Array.isArray(manifest.layers)) {
    throw new PullError(`unsupported manifest type ${top.mediaType}`, 0);
  }
  const tmp = await store.tempDir();
  try {
    const configFile = join(tmp, 'config');
    await client.blob(manifest.config.digest, configFile);
    const configBytes = await readFile(configFile);
    const configDigest = `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
    if (configDigest !== manifest.config.digest) {
      throw new PullError(`config blob digest mismatch: expected ${manifest.config.digest}, got ${configDigest}`, 0);
    }
    const layers = [];
    for (const [i, layer] of manifest.layers.entries()) {
      if (await store.hasBlob(layer.digest)) {
        layers.push({ digest: layer.digest, path: join(store.root, 'blobs', 'sha256', layer.digest.slice(7)) });
        continue;
      }
      const file = join(tmp, `layer${i}`);
      await client.blob(layer.digest, file);
      layers.push({ digest: layer.digest, path: file });
    }
    const repoTags = ref.tag !== undefined && ref.digest === undefined ? [formatReference(ref)] : [];
    return await store.addImage({ configBytes, layers, repoTags, repoDigests: [`${repositoryName(ref)}@${top.digest}`] });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
