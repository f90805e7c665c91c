import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveUser } from './user.ts';

test('image users resolve against the rootfs passwd and group files', async () => {
  const root = await mkdtemp(join(tmpdir(), 'k8ts-user-'));
  try {
    await mkdir(join(root, 'etc'));
    await writeFile(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/false\n');
    await writeFile(join(root, 'etc/group'), 'root:x:0:\nwww-data:x:33:\nadm:x:4:www-data,other\n');
    assert.deepEqual(await resolveUser(root, ''), { uid: 0, gid: 0, additionalGids: [] });
    assert.deepEqual(await resolveUser(root, 'www-data'), { uid: 33, gid: 33, additionalGids: [4] });
    assert.deepEqual(await resolveUser(root, '33:4'), { uid: 33, gid: 4, additionalGids: [4] });
    assert.deepEqual(await resolveUser(root, '1234'), { uid: 1234, gid: 0, additionalGids: [] });
    assert.deepEqual(await resolveUser(root, 'www-data:root'), { uid: 33, gid: 0, additionalGids: [4] });
    // runAsUser/runAsGroup win over the image's User.
    assert.deepEqual(await resolveUser(root, 'www-data', 1000, 2000), { uid: 1000, gid: 2000, additionalGids: [] });
    await assert.rejects(resolveUser(root, 'nobody'), /unable to find user nobody/);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
