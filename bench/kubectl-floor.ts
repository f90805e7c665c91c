/**
 * The floor for `get pods` on this architecture (bench/kubectl.ts, BENCHMARKS.md "kubectl"): the
 * least a Node.js program can do for the same output — read $KUBECONFIG (only the shape of the
 * apiserver's admin.kubeconfig: one cluster, one user, embedded PEM data), read the cached core
 * discovery document as kubectl would, one HTTPS GET of the pods as a server-side Table with the same
 * client certificate, print the table padded like Go's tabwriter. No flags, no errors handled.
 * Usage: KUBECONFIG=... HOME=... node bench/kubectl-floor.ts
 */
const { readFileSync } = process.getBuiltinModule('node:fs');
const { request } = process.getBuiltinModule('node:https');

interface TableLike {
  columnDefinitions: { name: string; priority?: number }[];
  rows: { cells: unknown[] }[];
}

const kubeconfig = readFileSync(process.env.KUBECONFIG ?? '', 'utf8');
const field = (key: string): string => new RegExp(`${key}: (\\S+)`).exec(kubeconfig)?.[1] ?? '';
const server = new URL(field('server'));
const pem = (key: string): Buffer => Buffer.from(field(key), 'base64');
JSON.parse(readFileSync(`${process.env.HOME ?? ''}/.kube/cache/discovery/${server.host.replace(':', '_')}/v1/serverresources.json`, 'utf8'));

const req = request(
  {
    host: server.hostname,
    port: server.port,
    path: '/api/v1/namespaces/default/pods?limit=500',
    ca: pem('certificate-authority-data'),
    cert: pem('client-certificate-data'),
    key: pem('client-key-data'),
    agent: false,
    headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
  },
  (res) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      const table = JSON.parse(Buffer.concat(chunks).toString('utf8')) as TableLike;
      const shown = table.columnDefinitions.flatMap((c, i) => ((c.priority ?? 0) === 0 ? [i] : []));
      const lines = [shown.map((i) => table.columnDefinitions[i].name.toUpperCase()), ...table.rows.map((r) => shown.map((i) => String(r.cells[i])))];
      const widths = shown.map((_, j) => Math.max(6, ...lines.map((l) => l[j].length + 3)));
      process.stdout.write(lines.map((l) => `${l.map((c, j) => (j === l.length - 1 ? c : c.padEnd(widths[j]))).join('')}\n`).join(''));
    });
  },
);
req.end();
