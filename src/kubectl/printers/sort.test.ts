/* Expectations captured from the real kubectl 1.35: `kubectl get things -n sorting --sort-by=<expr> -o name` over the objects below. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { errorMessage } from "../cli/errors.ts";
import { sortObjects, sortTableRows } from "./sort.ts";

type Thing = { readonly metadata: { readonly name: string } & Record<string, unknown> } & Record<string, unknown>;
const sortThings: readonly Thing[] = [{"apiVersion":"k2.test/v1","kind":"Thing","metadata":{"name":"alpha","namespace":"sorting"},"spec":{"arr":[],"n":0,"nul":null,"q":"100m","s":"b09"}},{"apiVersion":"k2.test/v1","kind":"Thing","metadata":{"name":"mid-1","namespace":"sorting"},"spec":{"n":3,"q":"nope","s":"b010"}},{"apiVersion":"k2.test/v1","kind":"Thing","metadata":{"name":"pod-09","namespace":"sorting"},"spec":{"arr":[3,0],"n":5,"q":"2","s":"B9","t":"2026-01-01T00:00:00Z"}},{"apiVersion":"k2.test/v1","kind":"Thing","metadata":{"name":"pod-10","namespace":"sorting"},"spec":{"arr":[3,1],"f":1.5,"mixed":"x","n":5,"q":"1Gi","s":"b10","t":"2026-01-02T00:00:00Z"}},{"apiVersion":"k2.test/v1","kind":"Thing","metadata":{"name":"pod-9","namespace":"sorting"},"spec":{"arr":[2],"f":0.5,"mixed":1,"n":-2,"q":"500Mi","s":"b9","t":"2025-12-31T23:59:59Z"}},{"apiVersion":"k2.test/v1","kind":"Thing","metadata":{"name":"zeta","namespace":"sorting"},"spec":{"f":2.5,"n":7,"q":"1.5Gi","s":"a"}}];

interface Captured { readonly expr: string; readonly stdout: string; readonly stderr: string; readonly code: number }

const captured: readonly Captured[] = [
  {"expr":".metadata.name","stdout":"thing.k2.test/alpha\nthing.k2.test/mid-1\nthing.k2.test/pod-09\nthing.k2.test/pod-10\nthing.k2.test/pod-9\nthing.k2.test/zeta\n","stderr":"","code":0},
  {"expr":".spec.n","stdout":"thing.k2.test/pod-9\nthing.k2.test/alpha\nthing.k2.test/mid-1\nthing.k2.test/pod-09\nthing.k2.test/pod-10\nthing.k2.test/zeta\n","stderr":"","code":0},
  {"expr":".spec.q","stdout":"thing.k2.test/alpha\nthing.k2.test/pod-09\nthing.k2.test/pod-9\nthing.k2.test/pod-10\nthing.k2.test/zeta\nthing.k2.test/mid-1\n","stderr":"","code":0},
  {"expr":".spec.s","stdout":"thing.k2.test/pod-09\nthing.k2.test/zeta\nthing.k2.test/mid-1\nthing.k2.test/alpha\nthing.k2.test/pod-10\nthing.k2.test/pod-9\n","stderr":"","code":0},
  {"expr":".spec.t","stdout":"thing.k2.test/zeta\nthing.k2.test/mid-1\nthing.k2.test/alpha\nthing.k2.test/pod-9\nthing.k2.test/pod-09\nthing.k2.test/pod-10\n","stderr":"","code":0},
  {"expr":".spec.f","stdout":"thing.k2.test/pod-09\nthing.k2.test/mid-1\nthing.k2.test/alpha\nthing.k2.test/pod-9\nthing.k2.test/pod-10\nthing.k2.test/zeta\n","stderr":"","code":0},
  {"expr":".spec.mixed","stdout":"","stderr":"F1125 21:10:50.108765   18384 sorter.go:329] Field {.spec.mixed} in *unstructured.Unstructured is an unsortable type: interface, err: unsortable interface: interface\n","code":1},
  {"expr":".spec.arr","stdout":"","stderr":"F1125 21:10:51.445108   18406 sorter.go:329] Field {.spec.arr} in *unstructured.Unstructured is an unsortable type: interface, err: unsortable type: []interface {}\n","code":1},
  {"expr":".spec.arr[0]","stdout":"","stderr":"error: array index out of bounds: index 0, length 0\n","code":1},
  {"expr":".spec.nul","stdout":"thing.k2.test/zeta\nthing.k2.test/pod-9\nthing.k2.test/pod-10\nthing.k2.test/pod-09\nthing.k2.test/mid-1\nthing.k2.test/alpha\n","stderr":"","code":0},
  {"expr":".spec.zz","stdout":"","stderr":"error: couldn't find any field with path \"{.spec.zz}\" in the list of objects\n","code":1},
  {"expr":"{.spec.n}","stdout":"thing.k2.test/pod-9\nthing.k2.test/alpha\nthing.k2.test/mid-1\nthing.k2.test/pod-09\nthing.k2.test/pod-10\nthing.k2.test/zeta\n","stderr":"","code":0},
  {"expr":"spec.s","stdout":"thing.k2.test/pod-09\nthing.k2.test/zeta\nthing.k2.test/mid-1\nthing.k2.test/alpha\nthing.k2.test/pod-10\nthing.k2.test/pod-9\n","stderr":"","code":0},
  {"expr":".spec.arr[*]","stdout":"thing.k2.test/zeta\nthing.k2.test/mid-1\nthing.k2.test/alpha\nthing.k2.test/pod-9\nthing.k2.test/pod-09\nthing.k2.test/pod-10\n","stderr":"","code":0},
];

function runOurs(c: Captured): { stdout: string; stderr: string; code: number } {
  try {
    const sorted = sortObjects(sortThings, c.expr);
    return { stdout: sorted.map((o) => `thing.k2.test/${o.metadata.name}\n`).join(''), stderr: '', code: 0 };
  } catch (err) {
    return { stdout: '', stderr: `${errorMessage(err)}\n`, code: 1 };
  }
}

/** klog's header carries the time and the pid. */
const normalize = (s: string): string => s.replace(/^F\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+ /, 'F<stamp> ');

for (const c of captured) {
  test(`--sort-by matches kubectl: ${c.expr}`, () => {
    const ours = runOurs(c);
    assert.deepEqual({ ...ours, stderr: normalize(ours.stderr) }, { stdout: c.stdout, stderr: normalize(c.stderr), code: c.code });
  });
}

test('table rows sort by their embedded objects', () => {
  const table = { kind: 'Table', columnDefinitions: [{ name: 'Name' }], rows: sortThings.map((o) => ({ cells: [o.metadata.name], object: o as unknown as Record<string, unknown> })) };
  const sorted = sortTableRows(table, '.spec.n');
  assert.deepEqual(sorted.rows?.map((r) => r.cells[0]), ['pod-9', 'alpha', 'mid-1', 'pod-09', 'pod-10', 'zeta']);
  assert.equal(table.rows[0]?.cells[0], 'alpha', 'the input table is left as it was');
  assert.deepEqual(sortTableRows(table, '.spec.zz').rows, [], 'kubectl prints no rows when no row has the field');
  assert.deepEqual(sortTableRows(table, '.spec.arr[0]').rows, [], 'nor when the path fails');
  assert.throws(() => sortTableRows(table, '.spec.mixed'), /sorter.go:375\] Field \{.spec.mixed\} in \[\]\[\]\[\]reflect.Value is an unsortable type/);
});
