/**
 * `kubectl cp <file-spec-src> <file-spec-dest>`: copies into a container by piping a tar archive
 * to `tar -xmf -`, and out of it by reading `tar cf -`, both over exec (as upstream does).
 */
import { lstat, mkdir, readdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { Readable } from 'node:stream';
import { dirname, join, posix, resolve } from 'node:path';
import { CliError } from '../command.ts';
import type { FlagValues, KubectlContext, Verb } from '../command.ts';
import { boolFlag, stringFlag } from '../polymorphic/flagvalues.ts';
import { findOrDefaultContainer } from '../polymorphic/pods.ts';
import type { PodLike } from '../polymorphic/pods.ts';
import { ExitCodeError, runRemoteCommand } from '../streams/remotecommand.ts';
import { readTar, writeTar } from '../streams/tar.ts';
import type { TarInput } from '../streams/tar.ts';

const formatError = 'filespec must match the canonical format: [[namespace/]pod:]file/path';

interface FileSpec {
  readonly namespace: string;
  readonly pod: string;
  readonly file: string;
}

/** Parses `[[namespace/]pod:]path` (upstream's extractFileSpec). */
export function parseFileSpec(arg: string): FileSpec {
  const i = arg.indexOf(':');
  if (i === 0) {
    throw new CliError(formatError);
  }
  if (i < 0) {
    return { namespace: '', pod: '', file: arg };
  }
  const pieces = arg.slice(0, i).split('/');
  const file = arg.slice(i + 1);
  if (pieces.length === 1) {
    return { namespace: '', pod: pieces[0] ?? '', file };
  }
  if (pieces.length === 2) {
    return { namespace: pieces[0] ?? '', pod: pieces[1] ?? '', file };
  }
  throw new CliError(formatError);
}

/** Drops leading `../` and `./` (upstream's stripPathShortcuts). */
export function stripPathShortcuts(p: string): string {
  let s = posix.normalize(p);
  while (s.startsWith('../') || s.startsWith('./')) {
    s = s.slice(s.indexOf('/') + 1);
  }
  return s === '.' || s === '..' ? '' : s;
}

function collector(): { stream: Writable; data(): Buffer } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    }),
    data: () => Buffer.concat(chunks),
  };
}

/** Runs one command in the pod (getting the pod and defaulting the container like exec does). */
async function execIn(ctx: KubectlContext, spec: FileSpec, defaultNs: string, flags: FlagValues, command: readonly string[], io: { stdin?: Readable; stdout: Writable; stderr?: Writable; warn: Writable }): Promise<void> {
  const namespace = spec.namespace === '' ? defaultNs : spec.namespace;
  const client = await ctx.client();
  const pod = await client.get<PodLike>({ group: '', version: 'v1', resource: 'pods', namespace, name: spec.pod });
  const phase = pod.status?.phase ?? '';
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw new CliError(`cannot exec into a container in a completed pod; current phase is ${phase}`);
  }
  let container = stringFlag(flags, 'container');
  if (container === '') {
    container = findOrDefaultContainer(pod, '', false, (s) => void io.warn.write(s)).name;
  }
  await runRemoteCommand({
    connection: await ctx.connection(),
    path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(spec.pod)}/exec`,
    query: { command: [...command], container, stdin: io.stdin !== undefined ? 'true' : undefined, stdout: 'true', stderr: io.stderr !== undefined ? 'true' : undefined },
    stdin: io.stdin,
    stdout: io.stdout,
    stderr: io.stderr,
  });
}

async function tarInputs(local: string, remoteName: string): Promise<TarInput[]> {
  const st = await lstat(local);
  const mtimeSec = st.mtimeMs / 1000;
  if (st.isSymbolicLink()) {
    return [{ name: remoteName, type: 'symlink', mode: st.mode, mtimeSec, linkname: await readlink(local) }];
  }
  if (st.isDirectory()) {
    const names = (await readdir(local)).sort();
    if (names.length === 0) {
      return [{ name: remoteName, type: 'dir', mode: st.mode, mtimeSec }];
    }
    const out: TarInput[] = [];
    for (const n of names) {
      out.push(...(await tarInputs(join(local, n), posix.join(remoteName, n))));
    }
    return out;
  }
  return [{ name: remoteName, type: 'file', mode: st.mode, mtimeSec, data: await readFile(local) }];
}

async function copyToPod(ctx: KubectlContext, src: FileSpec, dest: FileSpec, namespace: string, flags: FlagValues): Promise<void> {
  try {
    await stat(src.file);
  } catch {
    throw new CliError(`${src.file} doesn't exist in local filesystem`);
  }
  let destFile = dest.file;
  const discard = new Writable({ write: (_c, _e, cb) => cb() });
  try {
    await execIn(ctx, dest, namespace, flags, ['test', '-d', dest.file], { stdout: discard, stderr: discard, warn: discard });
    destFile = posix.join(destFile, posix.basename(resolve(src.file)));
  } catch (e) {
    if (!(e instanceof ExitCodeError)) {
      throw e;
    }
  }
  const clean = posix.normalize(destFile);
  const archive = writeTar(await tarInputs(src.file, posix.basename(clean)));
  const command = boolFlag(flags, 'no-preserve') ? ['tar', '--no-same-permissions', '--no-same-owner', '-xmf', '-'] : ['tar', '-xmf', '-'];
  const dir = posix.dirname(clean);
  if (dir !== '') {
    command.push('-C', dir);
  }
  await execIn(ctx, dest, namespace, flags, command, { stdin: Readable.from([archive]), stdout: ctx.stdout, stderr: ctx.stderr, warn: ctx.stderr });
}

async function copyFromPod(ctx: KubectlContext, src: FileSpec, dest: FileSpec, namespace: string, flags: FlagValues): Promise<void> {
  const out = collector();
  // Upstream hands the remote tar's stderr to stdout (`tar: removing leading '/' from member names`).
  try {
    await execIn(ctx, src, namespace, flags, ['tar', 'cf', '-', src.file], { stdout: out.stream, stderr: ctx.stdout, warn: ctx.stdout });
  } catch (e) {
    // kubectl 1.35 reports a failing remote tar from a goroutine that usually loses the race
    // with the (empty) copy finishing: it exits 0. Do the same.
    if (!(e instanceof ExitCodeError)) {
      throw e;
    }
  }
  const prefix = stripPathShortcuts(posix.normalize(src.file.replace(/^\/+/, '')));
  const destRoot = resolve(dest.file);
  for (const entry of readTar(out.data())) {
    if (!entry.name.startsWith(prefix)) {
      throw new CliError('tar contents corrupted');
    }
    const target = resolve(join(destRoot, entry.name.slice(prefix.length)));
    if (target !== destRoot && !target.startsWith(`${destRoot}/`)) {
      ctx.stderr.write(`warning: file "${target}" is outside target destination, skipping\n`);
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    if (entry.type === '5') {
      await mkdir(target, { recursive: true });
    } else if (entry.type === '2') {
      ctx.stderr.write(`warning: skipping symlink: "${target}" -> "${entry.linkname}"\n`);
    } else if (entry.type === '0' || entry.type === '7') {
      await writeFile(target, entry.data);
    }
  }
}

const verb: Verb = {
  use: 'cp <file-spec-src> <file-spec-dest>',
  short: 'Copy files and directories to and from containers',
  flags: [
    { name: 'container', short: 'c', type: 'string', default: '', usage: 'Container name. If omitted, use the kubectl.kubernetes.io/default-container annotation for selecting the container to be attached or the first container in the pod will be chosen' },
    { name: 'no-preserve', type: 'bool', default: false, usage: 'The copied file/directory\'s ownership and permissions will not be preserved in the container' },
    { name: 'retries', type: 'int', default: 0, usage: 'Set number of retries to complete a copy operation from a container. Specify 0 to disable or any negative value for infinite retrying. The default is 0 (no retry).' },
  ],
  async run(ctx: KubectlContext, args: readonly string[], flags: FlagValues): Promise<number> {
    if (args.length !== 2) {
      throw new CliError('source and destination are required');
    }
    const src = parseFileSpec(args[0] ?? '');
    const dest = parseFileSpec(args[1] ?? '');
    if (src.pod !== '' && dest.pod !== '') {
      throw new CliError('one of src or dest must be a local file specification');
    }
    if (src.file === '' || dest.file === '') {
      throw new CliError('filepath can not be empty');
    }
    const { namespace } = await ctx.namespace();
    try {
      if (src.pod !== '') {
        await copyFromPod(ctx, src, dest, namespace, flags);
      } else if (dest.pod !== '') {
        await copyToPod(ctx, src, dest, namespace, flags);
      } else {
        throw new CliError('one of src or dest must be a remote file specification');
      }
    } catch (e) {
      if (e instanceof ExitCodeError) {
        ctx.stderr.write(`command terminated with exit code ${e.exitCode}\n`);
        return e.exitCode;
      }
      throw e;
    }
    return 0;
  },
};

export default verb;
