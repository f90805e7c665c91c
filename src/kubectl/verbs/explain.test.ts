import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderExplain, wordWrap } from './explain.ts';

test('wordWrap breaks at spaces within the limit, keeps long words whole and existing line breaks', () => {
  assert.equal(wordWrap('aaa bbb ccc', 7), 'aaa bbb\nccc');
  assert.equal(wordWrap('short', 80), 'short');
  assert.equal(wordWrap('a https://example.com/a/very/long/url b', 10), 'a\nhttps://example.com/a/very/long/url\nb');
  assert.equal(wordWrap('one\n\ntwo three', 5), 'one\n\ntwo\nthree');
});

const doc = {
  paths: { '/apis/example.com/v1/namespaces/{namespace}/widgets': { get: { 'x-kubernetes-group-version-kind': { group: 'example.com', version: 'v1', kind: 'Widget' } } } },
  components: {
    schemas: {
      'com.example.v1.Widget': {
        'x-kubernetes-group-version-kind': [{ group: 'example.com', version: 'v1', kind: 'Widget' }],
        type: 'object', description: 'A Widget.',
        properties: {
          spec: { allOf: [{ $ref: '#/components/schemas/com.example.v1.WidgetSpec' }], description: 'Desired state.' },
        },
      },
      'com.example.v1.WidgetSpec': {
        type: 'object', required: ['size'],
        properties: {
          size: { type: 'integer', description: 'How big.' },
          color: { type: 'string', enum: ['', 'red', 'green', 'blue', 'black'] },
          parts: { type: 'array', items: { $ref: '#/components/schemas/com.example.v1.Part' } },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
      'com.example.v1.Part': { type: 'object', properties: { name: { type: 'string' }, child: { $ref: '#/components/schemas/com.example.v1.Part' } } },
    },
  },
};

test('a field: GROUP/KIND/VERSION header, FIELD line, descriptions, types, -required-, enum summary', () => {
  assert.equal(renderExplain(doc, 'example.com', 'v1', 'widgets', ['spec'], false), [
    'GROUP:      example.com',
    'KIND:       Widget',
    'VERSION:    v1',
    '',
    'FIELD: spec <WidgetSpec>',
    '',
    '',
    'DESCRIPTION:',
    '    Desired state.',
    '    ',
    'FIELDS:',
    '  color\t<string>',
    '  enum: "", red, green, blue, ....',
    '    <no description>',
    '',
    '  labels\t<map[string]string>',
    '    <no description>',
    '',
    '  parts\t<[]Part>',
    '    <no description>',
    '',
    '  size\t<integer> -required-',
    '    How big.',
    '',
    '',
    '',
  ].join('\n'));
});

test('--recursive lists nested fields by name and does not re-enter a reference already on the path; unknown fields fail', () => {
  const out = renderExplain(doc, 'example.com', 'v1', 'widgets', ['spec', 'parts'], true);
  assert.match(out, /DESCRIPTION:\n {4}<empty>\nFIELDS:\n {2}child\t<Part>\n {2}name\t<string>\n\n$/);
  assert.throws(() => renderExplain(doc, 'example.com', 'v1', 'widgets', ['spec', 'nope'], false), { message: 'field "nope" does not exist' });
});
