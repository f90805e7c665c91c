import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TablePrinter } from './table.ts';
import type { Table } from './table.ts';

const table: Table = {
  kind: 'Table',
  columnDefinitions: [
    { name: 'Name', type: 'string', format: 'name', priority: 0 },
    { name: 'Status', type: 'string', priority: 0 },
    { name: 'IP', type: 'string', priority: 1 },
  ],
  rows: [
    { cells: ['web-1', 'Running', '10.0.0.1'], object: { metadata: { namespace: 'default', labels: { app: 'web', tier: 'fe' } } } },
    { cells: ['db', 'Pending', ''], object: { metadata: { namespace: 'other' } } },
  ],
};

const base = { wide: false, withNamespace: false, noHeaders: false, showLabels: false, labelColumns: [] };

test('priority>0 columns only in wide; tabwriter padding of 3, minimum width 6', () => {
  assert.equal(new TablePrinter(base).add(table), 'NAME    STATUS\nweb-1   Running\ndb      Pending\n');
  assert.equal(new TablePrinter({ ...base, wide: true }).add(table), 'NAME    STATUS    IP\nweb-1   Running   10.0.0.1\ndb      Pending   \n');
});

test('namespace column, kind prefix, label columns and labels', () => {
  const out = new TablePrinter({ ...base, withNamespace: true, kindPrefix: 'pod', labelColumns: ['app'], showLabels: true }).add(table);
  assert.equal(
    out,
    'NAMESPACE   NAME        STATUS    APP   LABELS\n' + 'default     pod/web-1   Running   web   app=web,tier=fe\n' + 'other       pod/db      Pending         <none>\n',
  );
});

test('no headers; widths are remembered across flushes (watch rows stay aligned)', () => {
  const p = new TablePrinter({ ...base, noHeaders: true });
  assert.equal(p.add(table), 'web-1   Running\ndb      Pending\n');
  assert.equal(p.add({ kind: 'Table', columnDefinitions: null, rows: [{ cells: ['x', 'Gone', ''] }] }), 'x       Gone\n');
});

test('columns are padded by runes, as Go tabwriter counts them (not UTF-16 units or bytes)', () => {
  const t: Table = { kind: 'Table', columnDefinitions: [{ name: 'Name', format: 'name' }, { name: 'Note' }], rows: [{ cells: ['grüße-😀-long', 'x'] }, { cells: ['plain-name-a', 'y'] }] };
  assert.equal(new TablePrinter(base).add(t), 'NAME           NOTE\ngrüße-😀-long   x\nplain-name-a   y\n');
});
