/** Creates the static token file with an admin token on first start; reuses it afterwards. */
import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../../pki/files.ts';
import { ADMIN_TOKEN_GROUPS, ADMIN_TOKEN_USER, generateToken, parseTokenFile, tokenFileLine } from './token-file.ts';

/**
 * Ensures `path` exists (0600) and holds a token for the admin user; returns that token
 * (the first token whose user is the admin user, so a second start reuses it).
 */
export async function ensureTokenFile(path: string): Promise<string> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw e;
    }
  }
  for (const [token, user] of parseTokenFile(text, path)) {
    if (user.username === ADMIN_TOKEN_USER) {
      return token;
    }
  }
  const token = generateToken();
  const sep = text === '' || text.endsWith('\n') ? '' : '\n';
  await writeFileAtomic(path, `${text}${sep}${tokenFileLine(token, { username: ADMIN_TOKEN_USER, uid: ADMIN_TOKEN_USER, groups: ADMIN_TOKEN_GROUPS })}`, 0o600);
  return token;
}
