/**
 * Resolves an image's `User` (name, uid, `uid:gid`, `name:group`) against the container's
 * /etc/passwd and /etc/group, as containerd does when building a container's process user.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A resolved process identity. */
export interface ResolvedUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: number[];
}

async function readDb(rootfs: string, file: string): Promise<string[][]> {
  // Read through the rootfs path but never follow an absolute symlink out of it: plain readFile of a regular file.
  const text = await readFile(join(rootfs, 'etc', file), 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((l) => l.split(':'));
}

/** Resolves `spec` (may be empty = root) inside `rootfs`; overrides win when given. */
export async function resolveUser(rootfs: string, spec: string | undefined, uidOverride?: number, gidOverride?: number): Promise<ResolvedUser> {
  const passwd = await readDb(rootfs, 'passwd');
  const groups = await readDb(rootfs, 'group');
  let uid = 0;
  let gid: number | undefined;
  let userName: string | undefined;
  const [userPart, groupPart] = (spec ?? '').split(':');
  if (uidOverride !== undefined) {
    uid = uidOverride;
    userName = passwd.find((p) => Number(p[2]) === uid)?.[0];
    gid = passwd.find((p) => Number(p[2]) === uid) !== undefined ? Number(passwd.find((p) => Number(p[2]) === uid)?.[3]) : undefined;
  } else if (userPart !== undefined && userPart !== '') {
    if (/^\d+$/.test(userPart)) {
      uid = Number(userPart);
      const entry = passwd.find((p) => Number(p[2]) === uid);
      userName = entry?.[0];
      gid = entry !== undefined ? Number(entry[3]) : undefined;
    } else {
      const entry = passwd.find((p) => p[0] === userPart);
      if (entry === undefined) {
        throw new Error(`unable to find user ${userPart}: no matching entries in passwd file`);
      }
      uid = Number(entry[2]);
      gid = Number(entry[3]);
      userName = userPart;
    }
  }
  if (groupPart !== undefined && groupPart !== '' && uidOverride === undefined) {
    if (/^\d+$/.test(groupPart)) {
      gid = Number(groupPart);
    } else {
      const entry = groups.find((g) => g[0] === groupPart);
      if (entry === undefined) {
        throw new Error(`unable to find group ${groupPart}: no matching entries in group file`);
      }
      gid = Number(entry[2]);
    }
  }
  if (gidOverride !== undefined) {
    gid = gidOverride;
  }
  const additionalGids = userName === undefined ? [] : groups.filter((g) => (g[3] ?? '').split(',').includes(userName)).map((g) => Number(g[2]));
  return { uid, gid: gid ?? 0, additionalGids };
}
