import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQuantity, Quantity, QuantityFormatError, QuantitySuffixError, canonicalQuantity } from './quantity.ts';

test('canonical forms match upstream', () => {
  const cases: [string | number, string][] = [
    ['100m', '100m'], ['1000m', '1'], ['1500m', '1500m'], ['0.5', '500m'], ['1.5', '1500m'],
    ['1Gi', '1Gi'], ['1024Mi', '1Gi'], ['1536Mi', '1536Mi'], ['1.5Gi', '1536Mi'], ['0.5Ki', '512'],
    ['1e3', '1e3'], ['1000', '1k'], ['128974848', '128974848'], ['129e6', '129e6'], ['123Mi', '123Mi'],
    ['0', '0'], ['-1', '-1'], ['+3', '3'], ['.5', '500m'], ['0.1n', '1n'], ['12e-3', '12e-3'], [1, '1'], [0.25, '250m'],
  ];
  for (const [input, want] of cases) {
    assert.equal(parseQuantity(input).toString(), want, `parse(${input})`);
  }
});

test('parse errors carry upstream messages', () => {
  for (const bad of ['', 'abc', '1x', '1.5.5']) {
    assert.throws(() => parseQuantity(bad), { message: QuantityFormatError }, bad);
  }
  for (const bad of ['1K', '1e', '1Ki5']) {
    assert.throws(() => parseQuantity(bad), (e: Error) => e.message === QuantitySuffixError || e.message === QuantityFormatError, bad);
  }
  assert.throws(() => parseQuantity('1K'), { message: QuantitySuffixError });
  assert.equal(canonicalQuantity('nope'), 'nope');
});

test('values, comparison and arithmetic', () => {
  assert.equal(parseQuantity('1.5').milliValue(), 1500);
  assert.equal(parseQuantity('100m').value(), 1, 'value rounds up');
  assert.equal(parseQuantity('1Ki').value(), 1024);
  assert.equal(parseQuantity('1Gi').cmp(parseQuantity('1024Mi')), 0);
  assert.equal(parseQuantity('500m').cmp(parseQuantity('1')), -1);
  assert.equal(parseQuantity('2').cmp(parseQuantity('1999m')), 1);
  assert.equal(parseQuantity('1').add(parseQuantity('500m')).toString(), '1500m');
  assert.equal(parseQuantity('1Gi').sub(parseQuantity('512Mi')).toString(), '512Mi');
  assert.equal(Quantity.fromMilli(250).toString(), '250m');
  assert.equal(parseQuantity('0').add(parseQuantity('1Gi')).toString(), '1Gi', 'zero takes the other format');
});

test('resource lists: parse, add, max', async () => {
  const { parseResourceList, addResourceLists, maxResourceLists } = await import('./quantity.ts');
  const a = parseResourceList({ cpu: '100m', memory: '1Gi', bad: 'x' });
  assert.deepEqual([...a.keys()], ['cpu', 'memory']);
  const b = parseResourceList({ cpu: 1, memory: '512Mi' });
  const sum = addResourceLists(a, b);
  assert.equal(sum.get('cpu')?.toString(), '1100m');
  assert.equal(sum.get('memory')?.toString(), '1536Mi');
  const max = maxResourceLists(a, b);
  assert.equal(max.get('cpu')?.toString(), '1');
  assert.equal(max.get('memory')?.toString(), '1Gi');
});
