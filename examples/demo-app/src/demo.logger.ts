/** One JSON object per line on stdout; tests wait on `{"msg":"listening"}`. */
export function log(msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), msg, ...fields })}\n`);
}
