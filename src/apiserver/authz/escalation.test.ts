import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compactString, missingRules } from './escalation.ts';

const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]) => ({ verbs, apiGroups, resources, ...(resourceNames === undefined ? {} : { resourceNames }) });

test('rules the owner holds are not missing: wildcards, subresource patterns, names', () => {
  const owner = [rule(['*'], [''], ['pods', 'pods/*']), rule(['get'], ['apps'], ['*']), rule(['update'], [''], ['configmaps'], ['app-config']), { verbs: ['get'], nonResourceURLs: ['/healthz/*'] }];
  assert.deepEqual(missingRules(owner, [rule(['get', 'delete'], [''], ['pods', 'pods/log'])]), []);
  assert.deepEqual(missingRules(owner, [rule(['get'], ['apps'], ['deployments/scale'])]), []);
  assert.deepEqual(missingRules(owner, [rule(['update'], [''], ['configmaps'], ['app-config'])]), []);
  assert.deepEqual(missingRules(owner, [{ verbs: ['get'], nonResourceURLs: ['/healthz/ready'] }]), []);
});

test('what is not held is listed compactly and sorted, as upstream prints it', () => {
  const owner = [rule(['get'], [''], ['pods']), rule(['update'], [''], ['configmaps'], ['app-config'])];
  assert.deepEqual(missingRules(owner, [rule(['get', 'list'], [''], ['pods', 'secrets']), rule(['update'], [''], ['configmaps']), { verbs: ['get'], nonResourceURLs: ['/metrics'] }]), [
    '{APIGroups:[""], Resources:["configmaps"], Verbs:["update"]}',
    '{APIGroups:[""], Resources:["pods"], Verbs:["list"]}',
    '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}',
    '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
  ]);
  // A name-limited rule does not cover the whole resource.
  assert.deepEqual(missingRules([rule(['get'], [''], ['secrets'], ['a'])], [rule(['get'], [''], ['secrets'], ['a', 'b'])]), ['{APIGroups:[""], Resources:["secrets"], ResourceNames:["b"], Verbs:["get"]}']);
});

test('compactString follows upstream field order and Go quoting', () => {
  assert.equal(compactString(rule(['get', 'watch'], ['apps', ''], ['deployments'], ['web'])), '{APIGroups:["apps" ""], Resources:["deployments"], ResourceNames:["web"], Verbs:["get" "watch"]}');
});
