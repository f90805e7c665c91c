import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compactString, missingRules } from './escalation.ts';

const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]) => ({ verbs, apiGroups, resources, ...(resourceNames === undefined ? {} : { resourceNames }) });

const user = { username: 'jane', groups: ['system:authenticated'] };

test('rules the owner holds are not missing: wildcards, */subresource, names, URL prefixes', () => {
  const owner = [rule(['*'], [''], ['pods', 'pods/log']), rule(['get'], ['apps'], ['*']), rule(['get'], [''], ['*/status']), rule(['update'], [''], ['configmaps'], ['app-config']), { verbs: ['get'], nonResourceURLs: ['/healthz/*'] }];
  assert.deepEqual(missingRules(owner, [rule(['get', 'delete'], [''], ['pods', 'pods/log'])], user), []);
  assert.deepEqual(missingRules(owner, [rule(['get'], ['apps'], ['deployments/scale'])], user), []);
  assert.deepEqual(missingRules(owner, [rule(['get'], [''], ['nodes/status'])], user), []);
  assert.deepEqual(missingRules(owner, [rule(['update'], [''], ['configmaps'], ['app-config'])], user), []);
  assert.deepEqual(missingRules(owner, [{ verbs: ['get'], nonResourceURLs: ['/healthz/ready'] }], user), []);
  // As upstream's ruleCovers: `pods/*` is no wildcard, a subresource is covered by name or by `*/sub`.
  assert.deepEqual(missingRules([rule(['get'], [''], ['pods/*'])], [rule(['get'], [''], ['pods/exec'])], user), ['{APIGroups:[""], Resources:["pods/exec"], Verbs:["get"]}']);
});

test('what is not held is listed compactly and sorted, as upstream prints it', () => {
  const owner = [rule(['get'], [''], ['pods']), rule(['update'], [''], ['configmaps'], ['app-config'])];
  assert.deepEqual(missingRules(owner, [rule(['get', 'list'], [''], ['pods', 'secrets']), rule(['update'], [''], ['configmaps']), { verbs: ['get'], nonResourceURLs: ['/metrics'] }], user), [
    '{APIGroups:[""], Resources:["configmaps"], Verbs:["update"]}',
    '{APIGroups:[""], Resources:["pods"], Verbs:["list"]}',
    '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
    '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
  ]);
  // A name-limited rule does not cover the whole resource.
  assert.deepEqual(missingRules([rule(['get'], [''], ['secrets'], ['a'])], [rule(['get'], [''], ['secrets'], ['a', 'b'])], user), ['{APIGroups:[""], Resources:["secrets"], ResourceNames:["b"], Verbs:["get"]}']);
});

test('compactString follows upstream field order and Go quoting', () => {
  assert.equal(compactString(rule(['get', 'watch'], ['apps', ''], ['deployments'], ['web'])), '{APIGroups:["apps" ""], Resources:["deployments"], ResourceNames:["web"], Verbs:["get" "watch"]}');
});
