/**
 * Starts a container that `runc create` left waiting, without a `runc start` process. runc's
 * init blocks opening `<runc root>/<id>/exec.fifo` for writing; `runc start` only opens that
 * fifo for reading, reads the "0" the init writes before it execs the container's process, and
 * removes the fifo (runc then reports the container as running). Each runc process costs
 * 20–50 ms of CPU on this kind of machine (a Go runtime start), a tenth of a pod's start-up, so
 * the runtime does this step itself. When the fifo is not where runc 1.x keeps it, the caller
 * falls back to `runc start`.
 */
import { constants, open, unlink } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { processStartTime } from './host.ts';

/** How often the waiting init process is checked for having died before it opened the fifo. */
const LIVENESS_CHECK_MS = 100;

/** The fifo runc's init waits on (runc 1.0–1.2: `<root>/<id>/exec.fifo`). */
export function execFifoPath(runcRoot: string, id: string): string {
  return join(runcRoot, id, 'exec.fifo');
}

function openNonBlocking(path: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    // (libuv adds O_CLOEXEC.) O_NONBLOCK: opening a fifo for reading returns at once instead of waiting for a writer
    // (a libuv pool thread blocked in open would stall every other file operation).
    open(path, constants.O_RDONLY | constants.O_NONBLOCK, (err, fd) => {
      if (err === null) {
        resolve(fd);
      } else if (err.code === 'ENOENT') {
        resolve(undefined);
      } else {
        reject(err);
      }
    });
  });
}

/**
 * Lets the created container `id` (init process `initPid`) run, as `runc start` does. Resolves
 * true once its process has exec'd; false when there is no exec fifo (not created by a runc
 * that uses one, or already started): the caller then runs `runc start`, which knows why.
 */
export async function startThroughExecFifo(runcRoot: string, id: string, initPid: number, timeoutMs = 60_000): Promise<boolean> {
  const path = execFifoPath(runcRoot, id);
  const fd = await openNonBlocking(path);
  if (fd === undefined) {
    return false;
  }
  const initStart = await processStartTime(initPid);
  // A fifo fd is a pipe to libuv: reads wait in epoll, not in a pool thread.
  const fifo = new Socket({ fd, readable: true, writable: false });
  let data = '';
  try {
    await new Promise<void>((resolve, reject) => {
      let deadSeen = false;
      const started = Date.now();
      const timer = setInterval(() => {
        void processStartTime(initPid).then((now) => {
          // The init died before opening the fifo: no writer will ever come. Give data already in
          // the pipe one more interval to arrive (the process may have started and exited at once).
          const dead = initStart === undefined || now !== initStart;
          if (dead && deadSeen) {
            finish(new Error(`container ${id} exited before it could start`));
          } else if (Date.now() - started > timeoutMs) {
            finish(new Error(`starting container ${id}: no answer on its exec fifo after ${timeoutMs} ms`));
          }
          deadSeen = dead;
        });
      }, LIVENESS_CHECK_MS);
      const finish = (err?: Error): void => {
        clearInterval(timer);
        if (err === undefined) {
          resolve();
        } else {
          reject(err);
        }
      };
      fifo.setEncoding('utf8');
      fifo.on('data', (chunk: string) => {
        data += chunk;
      });
      // The init closes its end when it execs (the fd is close-on-exec).
      fifo.on('end', () => finish());
      fifo.on('error', (err) => finish(err));
    });
  } finally {
    fifo.destroy();
  }
  if (data.length === 0) {
    throw new Error(`cannot start container ${id}: its exec fifo gave nothing (already running?)`);
  }
  // As runc start does: without the fifo runc reports the container as running.
  await new Promise<void>((resolve, reject) => unlink(path, (err) => (err === null || err.code === 'ENOENT' ? resolve() : reject(err))));
  return true;
}
