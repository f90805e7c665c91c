/**
 * Layer handling for the image store: hashing blobs, unpacking a layer tar (plain or gzip)
 * with GNU tar while computing its diffID, and turning OCI whiteouts into what overlayfs
 * understands (`.wh.<name>` → a 0/0 character device, `.wh..wh..opq` → the directory's
 * `trusted.overlay.opaque=y` xattr), so every unpacked layer can be an overlay lowerdir.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { mustRun, runCommand } from '../runtime/command.ts';

/** `sha256:<hex>` of a file's bytes. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return `sha256:${hash.digest('hex')}`;
}

/** Whether the file starts with the gzip magic bytes. */
export async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(2);
    const { bytesRead } = await fh.read(buf, 0, 2, 0);
    return bytesRead === 2 && buf[0] === 0x1f && buf[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Hex of the sha256 over the uncompressed tar stream, without unpacking: the layer's diffID. */
export async function computeDiffId(blobPath: string): Promise<string> {
  const hash = createHash('sha256');
  const source = createReadStream(blobPath);
  if (await isGzip(blobPath)) {
    await pipeline(source, createGunzip(), hash);
  } else {
    await pipeline(source, hash);
  }
  return `sha256:${hash.digest('hex')}`;
}

/**
 * Unpacks a layer blob into `dest` (which must exist and be empty) and converts whiteouts.
 * Resolves with the diffID actually seen (sha256 of the uncompressed tar).
 */
export async function unpackLayer(blobPath: string, dest: string): Promise<string> {
  const hash = createHash('sha256');
  // GNU tar strips leading `/` and refuses members with `..`, which keeps a hostile layer inside dest.
  const tar = spawn('tar', ['-x', '--numeric-owner', '-p', '--same-owner', '--xattrs', '--xattrs-include=*', '-f', '-', '-C', dest], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  tar.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<number>((resolve) => tar.on('close', (code) => resolve(code ?? 1)));
  const tee = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const source = createReadStream(blobPath);
  const sink = tarInput(tar.stdin);
  try {
    if (await isGzip(blobPath)) {
      await pipeline(source, createGunzip(), tee, sink);
    } else {
      await pipeline(source, tee, sink);
    }
  } catch (err) {
    tar.kill('SIGKILL');
    await exited;
    throw err;
  }
  const code = await exited;
  if (code !== 0) {
    throw new Error(`unpacking layer ${blobPath} failed (tar exit ${code}): ${stderr.trim()}`);
  }
  await convertWhiteouts(dest);
  return `sha256:${hash.digest('hex')}`;
}

/**
 * A sink feeding tar's stdin that keeps accepting data once tar has stopped reading.
 * GNU tar exits as soon as it sees the end-of-archive blocks, and a layer may carry more
 * padding after them; writing into the closed pipe then fails with EPIPE, which would abort
 * the pipeline before the tee has hashed the whole stream, so the diffID would be wrong or
 * the pull would fail at random. Whether tar itself succeeded is judged by its exit code.
 */
function tarInput(stdin: Writable): Writable {
  let closed = false;
  stdin.on('error', () => {
    closed = true;
  });
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (closed || stdin.destroyed) {
        cb();
        return;
      }
      if (stdin.write(chunk)) {
        cb();
        return;
      }
      const resume = (): void => {
        stdin.off('drain', resume);
        stdin.off('close', resume);
        cb();
      };
      stdin.on('drain', resume);
      stdin.on('close', resume);
    },
    final(cb) {
      if (!closed && !stdin.destroyed) {
        stdin.end();
      }
      cb();
    },
  });
}

/** Sets an extended attribute with the attr tools, falling back to python3 where setfattr is missing. */
async function setXattr(path: string, name: string, value: string): Promise<void> {
  const result = await runCommand('setfattr', ['-n', name, '-v', value, path]);
  if (result.code === 0) {
    return;
  }
  await mustRun('python3', ['-c', 'import os,sys; os.setxattr(sys.argv[1], sys.argv[2], sys.argv[3].encode(), follow_symlinks=False)', path, name, value]);
}

/** Rewrites OCI whiteout files under `dir` into overlayfs whiteouts, recursively. */
export async function convertWhiteouts(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries) {
    const full = join(dir, entry.name);
    if (entry.name === '.wh..wh..opq') {
      await rm(full, { force: true });
      await setXattr(dir, 'trusted.overlay.opaque', 'y');
    } else if (entry.name.startsWith('.wh.')) {
      const target = join(dir, entry.name.slice(4));
      await rm(full, { force: true });
      await rm(target, { recursive: true, force: true });
      await mustRun('mknod', ['-m', '000', target, 'c', '0', '0']);
    } else if (entry.isDirectory()) {
      await convertWhiteouts(full);
    }
  }
}
