/**
 * Builds an nginx image from Debian packages without a registry (RUNTIME.md §8): `apt-get
 * download` of nginx-light and its recursive Depends, `dpkg -x` of each into a rootfs, then the
 * steps maintainer scripts would have done (www-data in passwd/group, the default site enabled,
 * the welcome page, runtime directories). Needs the host's apt sources; takes ~15 s and makes a ~48 MB layer.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun } from '../runtime/command.ts';
import type { BuiltImage } from './build-image.ts';
import { writeImageArchive } from './build-image.ts';

/** Options for the nginx image. */
export interface BuildNginxOptions {
  readonly outDir?: string;
  /** Default `k8ts.local/test/nginx:latest`. */
  readonly ref?: string;
  /** Debian package (default nginx-light). */
  readonly package?: string;
}

/** The package and its recursive hard dependencies, as apt resolves them. */
async function dependencyClosure(pkg: string): Promise<string[]> {
  const out = await mustRun('apt-cache', [
    'depends', '--recurse', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', '--no-pre-depends', pkg,
  ]);
  return [...new Set(out.split('\n').filter((l) => /^[a-z0-9]/.test(l)).map((l) => l.trim()))].sort();
}

/** Builds the nginx image archive; the caller removes `dir`. */
export async function buildNginxImage(options: BuildNginxOptions = {}): Promise<BuiltImage> {
  const dir = options.outDir ?? (await mkdtemp(join(tmpdir(), 'k8ts-nginx-')));
  const work = await mkdtemp(join(dir, 'work-'));
  try {
    const debs = join(work, 'debs');
    const rootfs = join(work, 'rootfs');
    await mkdir(debs, { recursive: true });
    await mkdir(rootfs, { recursive: true });
    const packages = await dependencyClosure(options.package ?? 'nginx-light');
    await mustRun('apt-get', ['download', ...packages], { cwd: debs, timeoutMs: 300_000 });
    for (const deb of (await readdir(debs)).filter((f) => f.endsWith('.deb'))) {
      await mustRun('dpkg', ['-x', join(debs, deb), rootfs]);
    }
    for (const d of ['run', 'var/log/nginx', 'var/lib/nginx', 'proc', 'sys', 'dev', 'tmp', 'etc/nginx/sites-enabled']) {
      await mkdir(join(rootfs, d), { recursive: true });
    }
    await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n');
    await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nwww-data:x:33:\nnogroup:x:65534:\n');
    // nginx-common's postinst puts the welcome page where the default site's root is.
    await mkdir(join(rootfs, 'var/www/html'), { recursive: true });
    await copyFile(join(rootfs, 'usr/share/nginx/html/index.html'), join(rootfs, 'var/www/html/index.nginx-debian.html')).catch(() => undefined);
    // Without the enabled default site nginx starts but listens on nothing.
    await symlink('/etc/nginx/sites-available/default', join(rootfs, 'etc/nginx/sites-enabled/default')).catch(() => undefined);
    return await writeImageArchive(rootfs, dir, options.ref ?? 'k8ts.local/test/nginx:latest', {
      Entrypoint: ['/usr/sbin/nginx'], Cmd: ['-g', 'daemon off;'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      ExposedPorts: { '80/tcp': {} }, StopSignal: 'SIGQUIT', WorkingDir: '/',
    }, 'docker-save', 'nginx');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
