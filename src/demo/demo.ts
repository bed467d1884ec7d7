/** Placeholder until the accounts and posts use cases land. */
export async function runDemo(opts: { port: number; out(t: string): void; err(t: string): void }): Promise<void> {
  opts.err('the demo is not available yet');
}
