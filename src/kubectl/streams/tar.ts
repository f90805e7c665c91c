/**
 * Just enough tar for `kubectl cp`: reading the ustar/GNU/pax archives `tar cf -` produces in a
 * container (regular files, directories, symlinks, long names) and writing ustar archives of
 * local files (GNU long-name entries for names over 100 bytes).
 */

/** One archive entry. */
export interface TarEntry {
  readonly name: string;
  /** '0' file, '5' directory, '2' symlink, others as in the header. */
  readonly type: string;
  readonly mode: number;
  readonly linkname: string;
  readonly data: Buffer;
}

function cString(b: Buffer, start: number, len: number): string {
  const slice = b.subarray(start, start + len);
  const nul = slice.indexOf(0);
  return slice.subarray(0, nul < 0 ? slice.length : nul).toString('utf8');
}

function octal(b: Buffer, start: number, len: number): number {
  const s = cString(b, start, len).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let i = 0;
  while (i < data.length) {
    const sp = data.indexOf(0x20, i);
    if (sp < 0) {
      break;
    }
    const len = Number(data.subarray(i, sp).toString('ascii'));
    if (!Number.isInteger(len) || len <= 0) {
      break;
    }
    const rec = data.subarray(sp + 1, i + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) {
      out.set(rec.slice(0, eq), rec.slice(eq + 1));
    }
    i += len;
  }
  return out;
}

/** Parses a whole archive (throws `tar contents corrupted` on a truncated one). */
export function readTar(buf: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let off = 0;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Map<string, string> | undefined;
  while (off + 512 <= buf.length) {
    const h = buf.subarray(off, off + 512);
    if (h.every((x) => x === 0)) {
      break;
    }
    const size = octal(h, 124, 12);
    const type = String.fromCharCode(h[156] || 0x30);
    const dataStart = off + 512;
    if (dataStart + size > buf.length) {
      throw new Error('tar contents corrupted');
    }
    const data = buf.subarray(dataStart, dataStart + size);
    off = dataStart + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = cString(data, 0, data.length);
      continue;
    }
    if (type === 'K') {
      longLink = cString(data, 0, data.length);
      continue;
    }
    if (type === 'x') {
      pax = paxRecords(data);
      continue;
    }
    if (type === 'g') {
      continue;
    }
    const magic = cString(h, 257, 6);
    const prefix = magic.startsWith('ustar') ? cString(h, 345, 155) : '';
    const baseName = cString(h, 0, 100);
    const name = pax?.get('path') ?? longName ?? (prefix !== '' ? `${prefix}/${baseName}` : baseName);
    const linkname = pax?.get('linkpath') ?? longLink ?? cString(h, 157, 100);
    entries.push({ name, type: type === '\0' ? '0' : type, mode: octal(h, 100, 8), linkname, data: Buffer.from(data) });
    longName = undefined;
    longLink = undefined;
    pax = undefined;
  }
  return entries;
}

function header(name: string, type: string, mode: number, size: number, mtime: number, linkname = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write(`${(mode & 0o7777).toString(8).padStart(7, '0')}\0`, 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  h.write(`${Math.floor(mtime).toString(8).padStart(11, '0')}\0`, 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write(linkname.slice(0, 100), 157, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const x of h) {
    sum += x;
  }
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function padded(data: Buffer): Buffer {
  const rest = data.length % 512;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(512 - rest)]);
}

/** A local file-system entry to archive. */
export interface TarInput {
  readonly name: string;
  readonly type: 'file' | 'dir' | 'symlink';
  readonly mode: number;
  readonly mtimeSec: number;
  readonly data?: Buffer;
  readonly linkname?: string;
}

/** Builds an archive (with the two zero blocks at the end). */
export function writeTar(inputs: readonly TarInput[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of inputs) {
    const name = e.type === 'dir' && !e.name.endsWith('/') ? `${e.name}/` : e.name;
    if (Buffer.byteLength(name) > 100) {
      const longName = Buffer.from(`${name}\0`);
      parts.push(header('././@LongLink', 'L', 0o644, longName.length, 0), padded(longName));
    }
    const data = e.type === 'file' ? (e.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
    const type = e.type === 'file' ? '0' : e.type === 'dir' ? '5' : '2';
    parts.push(header(name, type, e.mode, data.length, e.mtimeSec, e.linkname ?? ''), padded(data));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
