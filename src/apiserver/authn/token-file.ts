/**
 * Static token file authentication (`--token-auth-file`), upstream's format: one CSV record per
 * line, `token,user,uid[,"group1,group2"]`. k8ts keeps it at `<data-dir>/pki/tokens.csv` and
 * writes an admin token there on first start.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { UserInfo } from '../registry/types.ts';
import type { TokenAuthenticator } from './types.ts';

/** The identity of the generated admin token. */
export const ADMIN_TOKEN_USER = 'admin';
export const ADMIN_TOKEN_GROUPS: readonly string[] = ['system:masters'];

/** Splits one CSV record (RFC 4180 quoting: `"a,b"`, `""` for a quote). */
function parseCsvRecord(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        cur += ch;
      }
    } else if (ch === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else {
      cur += ch;
    }
  }
  if (quoted) {
    throw new Error('unterminated quoted field');
  }
  out.push(cur);
  return out.map((f) => f.trimStart());
}

/** Parses token file text into token → user; errors name the line, like upstream. */
export function parseTokenFile(text: string, source = 'token file'): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    if (line.trim() === '' || line.trimStart().startsWith('#')) {
      continue;
    }
    let record: string[];
    try {
      record = parseCsvRecord(line);
    } catch (e) {
      throw new Error(`${source}, line ${n + 1}: ${(e as Error).message}`);
    }
    if (record.length < 3) {
      throw new Error(`token file '${source}' must have at least 3 columns (token, user name, user uid), found ${record.length}`);
    }
    const [token, username, uid] = record;
    if (token === '' || tokens.has(token)) {
      // Upstream skips empty and duplicate tokens with a warning rather than failing.
      continue;
    }
    const groups = record.length > 3 ? record[3].split(',').map((g) => g.trim()).filter((g) => g !== '') : [];
    tokens.set(token, { username, uid, groups });
  }
  return tokens;
}

/** A token authenticator over a fixed token → user table. */
export function staticTokenAuthenticator(tokens: ReadonlyMap<string, UserInfo>): TokenAuthenticator {
  return {
    authenticateToken(token: string): Promise<UserInfo | undefined> {
      return Promise.resolve(tokens.get(token));
    },
  };
}

/** Loads a token file and authenticates against it. */
export async function tokenFileAuthenticator(path: string): Promise<TokenAuthenticator> {
  return staticTokenAuthenticator(parseTokenFile(await readFile(path, 'utf8'), path));
}

/** A new random token (32 bytes, hex). */
export function generateToken(): string {
  return randomBytes(32).toString('hex');
}

/** One token file line for `user`, quoting groups as upstream expects. */
export function tokenFileLine(token: string, user: UserInfo): string {
  const base = `${token},${user.username},${user.uid ?? user.username}`;
  return user.groups.length > 0 ? `${base},"${user.groups.join(',')}"\n` : `${base}\n`;
}
