/**
 * Runs the diff program for `kubectl diff` as upstream's DiffProgram does: `$KUBECTL_EXTERNAL_DIFF`
 * (its first word the program, further words kept only when they are made of letters, digits, `-`
 * and `=`) or `diff -u -N`, with the two directories as the last arguments. Its exit code 0/1 is
 * kubectl's; anything else is `failed to run "<program>": ...`.
 */
import { spawn } from 'node:child_process';
import type { KubectlContext } from '../command.ts';
import { CliError } from '../command.ts';

/** The program and its arguments for comparing `from` with `to` (unsafe extra words are dropped silently, as kubectl 1.35 does). */
export function diffCommand(env: NodeJS.ProcessEnv, from: string, to: string): { program: string; args: string[] } {
  const external = env.KUBECTL_EXTERNAL_DIFF ?? '';
  if (external === '') {
    return { program: 'diff', args: ['-u', '-N', from, to] };
  }
  const words = external.split(' ');
  const args = [from, to, ...words.slice(1).filter((w) => /^[a-zA-Z0-9-=]+$/.test(w))];
  return { program: words[0], args };
}

/** Runs the diff program, relaying its output; resolves with 0 or 1, throws for other outcomes. */
export function runDiffProgram(ctx: KubectlContext, from: string, to: string): Promise<number> {
  const { program, args } = diffCommand(ctx.env, from, to);
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { env: ctx.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (b: Buffer) => ctx.stdout.write(b));
    child.stderr.on('data', (b: Buffer) => ctx.stderr.write(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ENOENT' ? (program.includes("/") ? `fork/exec ${program}: no such file or directory` : "executable file not found in $PATH") : e.message;
      reject(new CliError(`failed to run "${program}": ${why}`, 2));
    });
    child.on('close', (code, signal) => {
      if (code === 0 || code === 1) {
        resolve(code);
      } else {
        reject(new CliError(`failed to run "${program}": ${signal !== null ? `signal: ${signal}` : `exit status ${code ?? 2}`}`, 2));
      }
    });
  });
}
