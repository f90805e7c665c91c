import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toYaml, yamlKeyLess } from './yaml.ts';

// Expected texts captured from kubectl 1.35 (`kubectl get cm -o yaml` of the same data).
test('strings are quoted, folded and blocked as go-yaml v2 does', () => {
  const data = {
    a: `${'word '.repeat(40)}`,
    b: 'line1\nline2',
    d: 'true',
    e: '123',
    f: '',
    g: 'a: b',
    h: '-x',
    j: '~',
    l: '*x',
    m: ' lead',
    n: 'tab\tx',
    o: 'y',
    p: '#c',
    s: 'a #b',
    t: 'ü',
    u: 'trail \nx',
    ts: '2026-11-25T20:43:33Z',
  };
  assert.equal(
    toYaml({ data }),
    `data:
  a: 'word word word word word word word word word word word word word word word word
    word word word word word word word word word word word word word word word word
    word word word word word word word word '
  b: |-
    line1
    line2
  d: "true"
  e: "123"
  f: ""
  g: 'a: b'
  h: -x
  j: "~"
  l: '*x'
  m: ' lead'
  "n": "tab\\tx"
  o: "y"
  p: '#c'
  s: 'a #b'
  t: ü
  ts: "2026-11-25T20:43:33Z"
  u: "trail \\nx"
`,
  );
});

test('sequences sit at their key indentation; empty collections are inline', () => {
  assert.equal(toYaml({ items: [{ b: 1, a: [] }, 'x'], m: {}, k: null }), 'items:\n- a: []\n  b: 1\n- x\nk: null\nm: {}\n');
});

test("keys sort in go-yaml's natural order", () => {
  const keys = ['a10', 'a2', 'aB', 'a_', 'b'].sort((x, y) => (yamlKeyLess(x, y) ? -1 : 1));
  assert.deepEqual(keys, ['a_', 'a2', 'a10', 'aB', 'b']);
});
