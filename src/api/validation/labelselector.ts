/** metav1.LabelSelector: validation (ValidateLabelSelector) and matching against a label set. */
import type { FieldError } from '../errors.ts';
import { asArr, asObj, asStr, asStrMap, child, forbidden, index, invalid, required } from './field.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';
import { validateLabels } from './objectmeta.ts';

/** Validates a LabelSelector's matchLabels and matchExpressions. */
export function validateLabelSelector(selector: unknown, path: string): FieldError[] {
  const s = asObj(selector);
  if (s === undefined) {
    return [];
  }
  const errs: FieldError[] = [];
  asArr(s.matchExpressions).forEach((raw, i) => {
    const e = asObj(raw) ?? {};
    const p = index(child(path, 'matchExpressions'), i);
    const op = asStr(e.operator);
    const values = asArr(e.values);
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) {
        errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) {
        errs.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else {
      errs.push(invalid(child(p, 'operator'), op, 'not a valid selector operator'));
    }
    const k = asStr(e.key);
    errs.push(...isQualifiedName(k).map((m) => invalid(child(p, 'key'), k, m)));
    values.forEach((v, j) => {
      const value = asStr(v);
      const msgs = isValidLabelValue(value);
      if (msgs.length > 0) {
        errs.push(invalid(index(child(p, 'values'), j), value, msgs.join('; ')));
      }
    });
  });
  errs.push(...validateLabels(s.matchLabels, child(path, 'matchLabels')));
  return errs;
}

/** True when the selector has no requirements (matches everything). */
export function isEmptySelector(selector: unknown): boolean {
  const s = asObj(selector);
  return s === undefined || (Object.keys(asObj(s.matchLabels) ?? {}).length === 0 && asArr(s.matchExpressions).length === 0);
}

/** Whether a LabelSelector selects the given labels; a missing selector selects nothing. */
export function selectorMatches(selector: unknown, labels: unknown): boolean {
  const s = asObj(selector);
  if (s === undefined) {
    return false;
  }
  const set = asStrMap(labels);
  for (const [k, v] of Object.entries(asStrMap(s.matchLabels))) {
    if (set[k] !== v) {
      return false;
    }
  }
  for (const raw of asArr(s.matchExpressions)) {
    const e = asObj(raw) ?? {};
    const k = asStr(e.key);
    const values = asArr(e.values).map(asStr);
    const has = Object.hasOwn(set, k);
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(set[k])) {
          return false;
        }
        break;
      case 'NotIn':
        if (has && values.includes(set[k])) {
          return false;
        }
        break;
      case 'Exists':
        if (!has) {
          return false;
        }
        break;
      case 'DoesNotExist':
        if (has) {
          return false;
        }
        break;
      default:
        return false;
    }
  }
  return true;
}
