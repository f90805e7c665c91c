/**
 * Raw store write rate: creates of pod-sized JSON values (~2 KB) at concurrency 1, 16 and 64,
 * for the SQLite backend (temp dir) and a real etcd (started via test/util/etcd.ts).
 * Prints a small table of writes/s. Usage: node bench/store.ts [--seconds 3] [--backends sqlite,etcd3]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Storage } from '../src/storage/interface.ts';
import { openStorage } from '../src/storage/open.ts';
import { startEtcd } from '../test/util/etcd.ts';
import { benchPod } from './pod-fixture.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '3' },
    backends: { type: 'string', default: 'sqlite,etcd3' },
    concurrency: { type: 'string', default: '1,16,64' },
  },
});
const seconds = Number(values.seconds);
const backends = values.backends.split(',') as Array<'sqlite' | 'etcd3'>;
const concurrencies = values.concurrency.split(',').map(Number);

/** Creates pods from `concurrency` loops for `seconds`; returns acknowledged writes per second. */
async function writeRate(storage: Storage, run: string, concurrency: number): Promise<{ rate: number; bytes: number }> {
  let n = 0;
  let bytes = 0;
  const end = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; Date.now() < end; i++) {
        const name = `${run}-w${worker}-${i}`;
        const value = JSON.stringify(benchPod(name));
        await storage.create(`/registry/pods/bench/${name}`, value);
        n++;
        bytes += value.length;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return { rate: n / elapsed, bytes: bytes / Math.max(n, 1) };
}

async function benchBackend(backend: 'sqlite' | 'etcd3'): Promise<number[]> {
  const dir = await mkdtemp(join(tmpdir(), 'k8ts-bench-store-'));
  const etcd = backend === 'etcd3' ? await startEtcd() : undefined;
  try {
    const storage = await openStorage({ backend, dataDir: dir, etcdServers: etcd?.endpoints, compactor: false });
    try {
      const rates: number[] = [];
      for (const c of concurrencies) {
        const { rate, bytes } = await writeRate(storage, `c${c}`, c);
        process.stderr.write(`${backend} c=${c}: ${rate.toFixed(0)} writes/s (value ${bytes.toFixed(0)} B)\n`);
        rates.push(rate);
      }
      return rates;
    } finally {
      await storage.close();
    }
  } finally {
    await etcd?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

const table: Array<[string, number[]]> = [];
for (const b of backends) {
  table.push([b, await benchBackend(b)]);
}
const header = ['backend', ...concurrencies.map((c) => `c=${c}`)];
console.log(`raw store creates/s, ~2 KB pod JSON, ${seconds}s per cell`);
console.log(header.map((h) => h.padStart(10)).join(' '));
for (const [b, rates] of table) {
  console.log([b, ...rates.map((r) => r.toFixed(0))].map((s) => s.padStart(10)).join(' '));
}
