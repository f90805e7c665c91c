/** `kubectl create poddisruptionbudget NAME --selector=SELECTOR --min-available=N|--max-unavailable=N` (policy/v1). */
import { CliError } from '../command.ts';
import { StatusError } from '../../api/errors.ts';
import { parseLabelSelector } from '../../api/selectors/labels.ts';
import type { LabelSelector } from '../../api/selectors/labels.ts';
import type { Generator, JsonObject } from './types.ts';
import { objectMeta, sortedMap, str } from './types.ts';

/** intstr.Parse of a validated `10` / `30%`. */
function intOrPercent(v: string): number | string {
  return /^\d+$/.test(v) && Number(v) <= 2147483647 ? Number(v) : v;
}

const operators: Readonly<Record<string, string>> = { in: 'In', notin: 'NotIn', exists: 'Exists', '!': 'DoesNotExist' };

/** metav1.ParseToLabelSelector: equality terms into matchLabels, set terms into matchExpressions (key order). */
export function toLabelSelector(selector: string): JsonObject {
  let parsed: LabelSelector;
  try {
    parsed = parseLabelSelector(selector);
  } catch (e) {
    if (e instanceof StatusError) {
      throw new CliError(`couldn't parse the selector string "${selector}": ${e.message}`);
    }
    throw e;
  }
  const matchLabels: [string, string][] = [];
  const matchExpressions: JsonObject[] = [];
  for (const r of parsed.requirements) {
    if (r.operator === '=' || r.operator === '==') {
      matchLabels.push([r.key, r.values[0] ?? '']);
      continue;
    }
    const op = operators[r.operator];
    if (op === undefined) {
      throw new CliError(`"${r.operator}" is not a valid label selector operator`);
    }
    matchExpressions.push(r.values.length > 0 ? { key: r.key, operator: op, values: [...r.values] } : { key: r.key, operator: op });
  }
  const out: JsonObject = {};
  if (matchLabels.length > 0) {
    out.matchLabels = sortedMap(matchLabels);
  }
  if (matchExpressions.length > 0) {
    out.matchExpressions = matchExpressions;
  }
  return out;
}

/** `kubectl create poddisruptionbudget` (alias `pdb`). */
export const pdbGenerator: Generator = {
  name: 'poddisruptionbudget',
  aliases: ['pdb'],
  use: 'poddisruptionbudget NAME --selector=SELECTOR --min-available=N [--dry-run=server|client|none]',
  short: 'Create a pod disruption budget with the specified name',
  flags: [
    { name: 'max-unavailable', type: 'string', usage: 'The maximum number or percentage of unavailable pods this budget requires.' },
    { name: 'min-available', type: 'string', usage: 'The minimum number or percentage of available pods this budget requires.' },
    { name: 'selector', type: 'string', usage: 'A label selector to use for this budget. Only equality-based selector requirements are supported.' },
  ],
  target: { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', namespaced: true },
  generate(input) {
    const selector = str(input.flags, 'selector');
    const minAvailable = str(input.flags, 'min-available');
    const maxUnavailable = str(input.flags, 'max-unavailable');
    if (selector === '') {
      throw new CliError('a selector must be specified');
    }
    if (minAvailable === '' && maxUnavailable === '') {
      throw new CliError('one of min-available or max-unavailable must be specified');
    }
    if (minAvailable !== '' && maxUnavailable !== '') {
      throw new CliError('min-available and max-unavailable cannot be both specified');
    }
    // a number or a percentage, nothing else ("10Gb" is refused)
    const valid = /^[0-9]+%?$/;
    if (minAvailable !== '' && !valid.test(minAvailable)) {
      throw new CliError('invalid format specified for min-available');
    }
    if (maxUnavailable !== '' && !valid.test(maxUnavailable)) {
      throw new CliError('invalid format specified for max-unavailable');
    }
    const spec: JsonObject = {};
    if (minAvailable !== '') {
      spec.minAvailable = intOrPercent(minAvailable);
    }
    spec.selector = toLabelSelector(selector);
    if (maxUnavailable !== '') {
      spec.maxUnavailable = intOrPercent(maxUnavailable);
    }
    return Promise.resolve({
      kind: 'PodDisruptionBudget',
      apiVersion: 'policy/v1',
      metadata: objectMeta(input.name, input.enforcedNamespace),
      spec,
      status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    });
  },
};
