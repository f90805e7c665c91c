/** Pod volumes (ValidateVolumes): names, exactly one source, per-source required fields. */
import type { FieldError } from '../errors.ts';
import { VolumeSourceFields } from '../defaults/pod.ts';
import { asArr, asObj, asStr, child, duplicate, forbidden, index, invalid, isInt, notSupported, required } from './field.ts';
import { isDNS1123Label } from './names.ts';

const fileModeErrorMsg = 'must be a number between 0 and 0777 (octal), both inclusive';
const hostPathTypes = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

function validateMode(mode: unknown, path: string): FieldError[] {
  return isInt(mode) && (mode < 0 || mode > 0o777) ? [invalid(path, mode, fileModeErrorMsg)] : [];
}

function validateItems(items: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(items).forEach((raw, i) => {
    const item = asObj(raw) ?? {};
    const p = index(path, i);
    const itemPath = asStr(item.path);
    if (itemPath === '') {
      errs.push(required(child(p, 'path'), ''));
    } else if (itemPath.startsWith('/')) {
      errs.push(invalid(child(p, 'path'), itemPath, 'must be a relative path'));
    } else if (itemPath.split('/').includes('..')) {
      errs.push(invalid(child(p, 'path'), itemPath, "must not contain '..'"));
    }
    errs.push(...validateMode(item.mode, child(p, 'mode')));
  });
  return errs;
}

function validateSource(kind: string, src: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  switch (kind) {
    case 'configMap':
      if (asStr(src.name) === '') {
        errs.push(required(child(path, 'name'), ''));
      }
      errs.push(...validateMode(src.defaultMode, child(path, 'defaultMode')));
      errs.push(...validateItems(src.items, child(path, 'items')));
      break;
    case 'secret':
      if (asStr(src.secretName) === '') {
        errs.push(required(child(path, 'secretName'), ''));
      }
      errs.push(...validateMode(src.defaultMode, child(path, 'defaultMode')));
      errs.push(...validateItems(src.items, child(path, 'items')));
      break;
    case 'hostPath': {
      if (asStr(src.path) === '') {
        errs.push(required(child(path, 'path'), ''));
      }
      const type = src.type;
      if (typeof type === 'string' && !hostPathTypes.includes(type)) {
        errs.push(notSupported(child(path, 'type'), type, hostPathTypes));
      }
      break;
    }
    case 'persistentVolumeClaim':
      if (asStr(src.claimName) === '') {
        errs.push(required(child(path, 'claimName'), ''));
      }
      break;
    case 'nfs':
      if (asStr(src.server) === '') {
        errs.push(required(child(path, 'server'), ''));
      }
      if (asStr(src.path) === '') {
        errs.push(required(child(path, 'path'), ''));
      } else if (!asStr(src.path).startsWith('/')) {
        errs.push(invalid(child(path, 'path'), src.path, 'must be an absolute path'));
      }
      break;
    case 'downwardAPI':
      errs.push(...validateMode(src.defaultMode, child(path, 'defaultMode')));
      errs.push(...validateItems(src.items, child(path, 'items')));
      break;
    case 'projected':
      errs.push(...validateMode(src.defaultMode, child(path, 'defaultMode')));
      break;
    case 'csi':
      if (asStr(src.driver) === '') {
        errs.push(required(child(path, 'driver'), ''));
      }
      break;
    case 'image':
      if (asStr(src.reference) === '') {
        errs.push(required(child(path, 'reference'), ''));
      }
      break;
    default:
      break;
  }
  return errs;
}

/** Validates `spec.volumes`; returns the errors and the set of declared names (for mounts). */
export function validateVolumes(volumes: unknown, path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  asArr(volumes).forEach((raw, i) => {
    const v = asObj(raw) ?? {};
    const p = index(path, i);
    const name = asStr(v.name);
    if (name === '') {
      errs.push(required(child(p, 'name'), ''));
    } else {
      const msgs = isDNS1123Label(name);
      errs.push(...msgs.map((m) => invalid(child(p, 'name'), name, m)));
      if (names.has(name)) {
        errs.push(duplicate(child(p, 'name'), name));
      }
      names.add(name);
    }
    let count = 0;
    for (const kind of VolumeSourceFields) {
      const src = asObj(v[kind]);
      if (src === undefined) {
        continue;
      }
      count++;
      if (count > 1) {
        errs.push(forbidden(child(p, kind), 'may not specify more than 1 volume type'));
        continue;
      }
      errs.push(...validateSource(kind, src, child(p, kind)));
    }
    if (count === 0) {
      errs.push(required(p, 'must specify a volume type'));
    }
  });
  return { errs, names };
}
