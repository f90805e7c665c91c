/** `k8ts up`: starts and supervises every component of a single-node cluster. */
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('k8ts up: not implemented yet\n');
  return 1;
}
