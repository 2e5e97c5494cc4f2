/**
 * Polls `read` every 100 ms until it gives a truthy value, and returns that value; throws naming
 * `what` after `ms`. For waits on the pipeline, whose pace a loaded machine sets.
 */
export async function until<T>(what: string, read: () => Promise<T | undefined | false>, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
