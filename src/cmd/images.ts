/**
 * `k8ts images import FILE... | list | rm REF... | pull REF`: manage the node's local image
 * store (the kubelet's `--root-dir`), like `ctr images import` / `crictl images|rmi|pull`.
 */
import { FlagError, formatUsage, parseFlags } from './flags.ts';

const specs = {
  'root-dir': { type: 'string', help: 'the kubelet root directory holding the image store', default: '/var/lib/k8ts/kubelet' },
  'base-name': { type: 'string', help: 'import: repository for OCI layout entries whose ref.name is only a tag' },
  'registry-config': { type: 'string', help: 'pull: registries.yaml with mirrors and per-host auth/tls (k3s format)', default: '/etc/k8ts/registries.yaml' },
  creds: { type: 'string', help: 'pull: registry credentials as USERNAME[:PASSWORD]' },
  quiet: { type: 'boolean', help: 'list: only print image ids', default: false },
} as const;

const usageLine = [
  'Usage: k8ts images <command> [flags]',
  '',
  'Commands:',
  '  import FILE...   import docker save or OCI layout archives (tar, optionally gzip)',
  '  list             list images (IMAGE, TAG, IMAGE ID, SIZE)',
  '  rm REF...        remove image references (an image goes when its last reference does)',
  '  pull REF         pull an image from its registry',
].join('\n');

/** Human size as crictl prints it (decimal units). */
function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${units[i]}`;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] + 3))).join('')).join('\n') + '\n';
}

/** Entry point for `k8ts images`. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags(argv, specs);
  } catch (e) {
    if (e instanceof FlagError) {
      process.stderr.write(`Error: ${e.message}\n\n${formatUsage(usageLine, specs)}`);
      return 1;
    }
    throw e;
  }
  const { flags, args, help } = parsed;
  const [command, ...rest] = args;
  if (help || command === undefined) {
    process.stdout.write(formatUsage(usageLine, specs));
    return help ? 0 : 1;
  }
  const { ImageStore } = await import('../kubelet/images/store.ts');
  const store = new ImageStore(flags['root-dir'] ?? '/var/lib/k8ts/kubelet');
  switch (command) {
    case 'import': {
      if (rest.length === 0) {
        process.stderr.write('Error: import needs at least one archive\n');
        return 1;
      }
      const { importArchive } = await import('../kubelet/images/archive.ts');
      for (const file of rest) {
        for (const image of await importArchive(store, file, { baseName: flags['base-name'] })) {
          process.stdout.write(`${image.repoTags.length > 0 ? image.repoTags.join(', ') : image.id} (${image.id})\n`);
        }
      }
      return 0;
    }
    case 'list':
    case 'ls': {
      const images = (await store.list()).sort((a, b) => (a.repoTags[0] ?? '').localeCompare(b.repoTags[0] ?? ''));
      if (flags.quiet === true) {
        process.stdout.write(images.map((i) => `${i.id}\n`).join(''));
        return 0;
      }
      const rows = [['IMAGE', 'TAG', 'IMAGE ID', 'SIZE']];
      for (const image of images) {
        const shortId = image.id.slice(7, 20);
        const refs = image.repoTags.length > 0 ? image.repoTags : ['<none>:<none>'];
        for (const ref of refs) {
          const colon = ref.lastIndexOf(':');
          rows.push([ref.slice(0, colon), ref.slice(colon + 1), shortId, humanSize(image.size)]);
        }
      }
      process.stdout.write(table(rows));
      return 0;
    }
    case 'rm':
    case 'rmi': {
      let code = 0;
      for (const ref of rest) {
        const image = await store.resolve(ref);
        try {
          if (image === undefined || !(await store.remove(ref))) {
            process.stderr.write(`Error: no such image "${ref}"\n`);
            code = 1;
          } else {
            process.stdout.write(`Deleted: ${ref}\n`);
          }
        } catch (err) {
          process.stderr.write(`Error: removing "${ref}": ${err instanceof Error ? err.message : String(err)}\n`);
          code = 1;
        }
      }
      return code;
    }
    case 'pull': {
      if (rest.length !== 1) {
        process.stderr.write('Error: pull needs exactly one image reference\n');
        return 1;
      }
      const { pullImage } = await import('../kubelet/images/pull.ts');
      const { loadRegistriesConfig } = await import('../kubelet/images/registries.ts');
      const registries = await loadRegistriesConfig(flags['registry-config']);
      const creds = flags.creds;
      const colon = creds?.indexOf(':') ?? -1;
      const auth = creds === undefined ? undefined : colon < 0 ? { username: creds } : { username: creds.slice(0, colon), password: creds.slice(colon + 1) };
      const image = await pullImage(store, rest[0], { registries, auth });
      process.stdout.write(`Image is up to date for ${image.id}\n`);
      return 0;
    }
    default:
      process.stderr.write(`Error: unknown images command "${command}"\n\n${formatUsage(usageLine, specs)}`);
      return 1;
  }
}
