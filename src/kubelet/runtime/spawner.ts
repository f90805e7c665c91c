/**
 * Runs host commands from a small helper process instead of from this one. Node's spawn is
 * synchronous: the event loop stops until the child has exec'd, and on a busy node that wait
 * is ~100 ms per command (a CPU profile of a kubelet starting 10 pods at load 30 spent a third
 * of its wall time inside spawn), so every pod's runc/CNI/mount call was serialised behind
 * every other's. The helper, a fixed python3 script (the system one; runtime/streams.ts already
 * relies on it), starts each command on its own thread (vfork + exec) and answers with one JSON
 * line per command. Commands and their data travel only as JSON argv/env/stdin, never through
 * a shell. When python3 is missing or the helper dies, the caller falls back to Node's spawn.
 */
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';

/** What the helper reports for one command (code 127 when it could not run or was killed). */
export interface SpawnedResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** One command for the helper. */
export interface SpawnRequest {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly input?: string;
  readonly cwd?: string;
  /** 0: no limit. */
  readonly timeoutMs: number;
  /**
   * For a daemonizing child that reports on a sync pipe (conmon's `_OCI_SYNCPIPE`): the helper
   * passes a pipe's write end, names its fd in this environment variable, and answers with
   * what the pipe carried up to the first `}` as stdout (stdin and stdout are /dev/null,
   * stderr goes to `stderrFile`, the child gets a session of its own; no timeout).
   */
  readonly syncPipeEnv?: string;
  readonly stderrFile?: string;
}

const SCRIPT = `
import json, os, subprocess, sys, threading
lock = threading.Lock()
def answer(res):
    line = json.dumps(res) + "\\n"
    with lock:
        sys.stdout.write(line)
        sys.stdout.flush()
def run(req):
    try:
        timeout = req["timeoutMs"] / 1000 if req["timeoutMs"] > 0 else None
        p = subprocess.run([req["file"]] + req["args"], input=req["input"].encode("utf-8"), capture_output=True,
                           env=req["env"], cwd=req["cwd"], timeout=timeout)
        code = p.returncode if p.returncode >= 0 else 127
        res = {"id": req["id"], "code": code, "stdout": p.stdout.decode("utf-8", "replace"), "stderr": p.stderr.decode("utf-8", "replace")}
    except subprocess.TimeoutExpired as e:
        res = {"id": req["id"], "code": 127, "stdout": (e.stdout or b"").decode("utf-8", "replace"), "stderr": "timed out after %d ms" % req["timeoutMs"]}
    except OSError as e:
        res = {"id": req["id"], "code": 127, "stdout": "", "stderr": str(e)}
    answer(res)
def run_daemon(req):
    # A daemonizing child that reports on a sync pipe (conmon): the answer is what the pipe
    # carried up to the first "}" (or its end); stderr goes to a file, as the daemon keeps it.
    r, w = os.pipe()
    p = None
    try:
        env = dict(req["env"])
        env[req["syncPipeEnv"]] = str(w)
        with open(req["stderrFile"], "wb") as err:
            p = subprocess.Popen([req["file"]] + req["args"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                 env=env, cwd=req["cwd"], pass_fds=(w,), start_new_session=True)
        os.close(w)
        w = -1
        buf = b""
        while b"}" not in buf:
            chunk = os.read(r, 4096)
            if not chunk:
                break
            buf += chunk
        answer({"id": req["id"], "code": 0, "stdout": buf.decode("utf-8", "replace"), "stderr": ""})
    except OSError as e:
        answer({"id": req["id"], "code": 127, "stdout": "", "stderr": str(e)})
    finally:
        os.close(r)
        if w >= 0:
            os.close(w)
    if p is not None:
        p.wait()
for line in sys.stdin:
    req = json.loads(line)
    threading.Thread(target=run_daemon if req.get("syncPipeEnv") else run, args=(req,), daemon=True).start()
`;

interface Pending {
  readonly resolve: (r: SpawnedResult | undefined) => void;
}

let helper: ChildProcessWithoutNullStreams | undefined;
let broken = process.env.K8TS_NO_SPAWN_HELPER !== undefined || !existsSync('/usr/bin/python3');
let nextId = 0;
const pending = new Map<number, Pending>();

/** Keeps this process alive only while commands are outstanding (the helper must not hold a CLI open). */
function holdOpen(h: ChildProcessWithoutNullStreams, open: boolean): void {
  // The stdio pipes are net.Sockets (each a handle of its own) though typed as plain streams.
  const pipes = [h.stdin, h.stdout, h.stderr] as unknown as Socket[];
  if (open) {
    h.ref();
    pipes.forEach((p) => p.ref());
  } else {
    h.unref();
    pipes.forEach((p) => p.unref());
  }
}

function start(): ChildProcessWithoutNullStreams {
  const h = spawn('/usr/bin/python3', ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  h.stderr.resume();
  createInterface({ input: h.stdout }).on('line', (line) => {
    let res: SpawnedResult & { id: number };
    try {
      res = JSON.parse(line) as SpawnedResult & { id: number };
    } catch {
      return;
    }
    const p = pending.get(res.id);
    pending.delete(res.id);
    if (pending.size === 0) {
      holdOpen(h, false);
    }
    p?.resolve({ code: res.code, stdout: res.stdout, stderr: res.stderr });
  });
  const fail = (): void => {
    // The helper is gone: its commands (and all later ones) run through Node's own spawn.
    broken = true;
    helper = undefined;
    for (const p of pending.values()) {
      p.resolve(undefined);
    }
    pending.clear();
  };
  h.on('error', fail);
  h.on('exit', fail);
  h.stdin.on('error', fail);
  holdOpen(h, false);
  return h;
}

/** Runs a command through the helper; undefined when the helper is unavailable (use Node's spawn). */
export function spawnViaHelper(req: SpawnRequest): Promise<SpawnedResult | undefined> {
  if (broken) {
    return Promise.resolve(undefined);
  }
  helper ??= start();
  const h = helper;
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, { resolve });
    holdOpen(h, true);
    const env = Object.fromEntries(Object.entries(req.env).filter((e): e is [string, string] => e[1] !== undefined));
    h.stdin.write(`${JSON.stringify({
      id, file: req.file, args: req.args, env, input: req.input ?? '', cwd: req.cwd ?? null, timeoutMs: req.timeoutMs,
      syncPipeEnv: req.syncPipeEnv ?? null, stderrFile: req.stderrFile ?? '/dev/null',
    })}\n`);
  });
}
