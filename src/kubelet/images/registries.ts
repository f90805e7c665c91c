/**
 * The node's registries config, in k3s's registries.yaml shape: `mirrors.<host>.endpoint`
 * (tried in order, then the registry itself) and `configs.<host>` with `auth`
 * (username/password, `auth` = base64 "user:pass", identity_token) and `tls`
 * (insecure_skip_verify, ca_file).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';

/** Credentials for one registry host. */
export interface RegistryAuth {
  readonly username?: string;
  readonly password?: string;
  /** base64 of `username:password` (docker config style). */
  readonly auth?: string;
  /** A refresh token for the token endpoint (OAuth2), sent as the password of `<token>` user. */
  readonly identityToken?: string;
}

/** Per-host settings. */
export interface RegistryHostConfig {
  readonly auth?: RegistryAuth;
  readonly insecureSkipVerify?: boolean;
  readonly caFile?: string;
}

/** The whole file. */
export interface RegistriesConfig {
  readonly mirrors: Readonly<Record<string, readonly string[]>>;
  readonly configs: Readonly<Record<string, RegistryHostConfig>>;
}

/** No mirrors, no credentials. */
export const emptyRegistriesConfig: RegistriesConfig = { mirrors: {}, configs: {} };

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Parses registries.yaml text. */
export function parseRegistriesConfig(text: string): RegistriesConfig {
  const doc = (parse(text) ?? {}) as Record<string, unknown>;
  const mirrors: Record<string, string[]> = {};
  for (const [host, m] of Object.entries((doc.mirrors ?? {}) as Record<string, unknown>)) {
    const endpoint = (m as { endpoint?: unknown } | null)?.endpoint;
    mirrors[host] = Array.isArray(endpoint) ? endpoint.filter((e): e is string => typeof e === 'string') : [];
  }
  const configs: Record<string, RegistryHostConfig> = {};
  for (const [host, c] of Object.entries((doc.configs ?? {}) as Record<string, unknown>)) {
    const cfg = (c ?? {}) as { auth?: Record<string, unknown>; tls?: Record<string, unknown> };
    configs[host] = {
      auth: cfg.auth === undefined ? undefined : {
        username: str(cfg.auth.username), password: str(cfg.auth.password), auth: str(cfg.auth.auth), identityToken: str(cfg.auth.identity_token),
      },
      insecureSkipVerify: cfg.tls?.insecure_skip_verify === true,
      caFile: str(cfg.tls?.ca_file),
    };
  }
  return { mirrors, configs };
}

/** Reads registries.yaml; a missing file means no mirrors and no credentials. */
export async function loadRegistriesConfig(path: string | undefined): Promise<RegistriesConfig> {
  if (path === undefined) {
    return emptyRegistriesConfig;
  }
  const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') {
      return '';
    }
    throw err;
  });
  return parseRegistriesConfig(text);
}

/** `username:password` from an auth entry, if it has credentials. */
export function basicCredentials(auth: RegistryAuth | undefined): { username: string; password: string } | undefined {
  if (auth === undefined) {
    return undefined;
  }
  if (auth.username !== undefined) {
    return { username: auth.username, password: auth.password ?? '' };
  }
  if (auth.auth !== undefined) {
    const decoded = Buffer.from(auth.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? undefined : { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}
