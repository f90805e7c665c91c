/** `k8ts apiserver`: flags → the API server's run(). */
export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('k8ts apiserver: not implemented yet\n');
  return 1;
}
