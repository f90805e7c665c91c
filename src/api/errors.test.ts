import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alreadyExists, invalid, notFound } from './errors.ts';

test('notFound renders the qualified resource like upstream', () => {
  assert.equal(notFound('apps', 'deployments', 'web').message, 'deployments.apps "web" not found');
  assert.equal(notFound('', 'pods', 'x').toStatus().code, 404);
});

test('alreadyExists is a 409 AlreadyExists', () => {
  const s = alreadyExists('', 'configmaps', 'c').toStatus();
  assert.equal(s.reason, 'AlreadyExists');
  assert.equal(s.code, 409);
});

test('invalid aggregates field errors like apimachinery', () => {
  const one = invalid('apps', 'Deployment', 'd', [{ type: 'FieldValueInvalid', field: 'spec.replicas', message: 'Invalid value: -1: must be greater than or equal to 0' }]);
  assert.equal(one.message, 'Deployment.apps "d" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
  const two = invalid('', 'Pod', 'p', [
    { type: 'FieldValueRequired', field: 'spec.containers', message: 'Required value' },
    { type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value' },
  ]);
  assert.equal(two.message, 'Pod "p" is invalid: [spec.containers: Required value, metadata.name: Required value]');
});
