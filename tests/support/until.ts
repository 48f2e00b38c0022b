/**
 * Polls `check` on the real clock until it holds; fails saying what was not reached. The bound is a
 * safety net so a broken build fails instead of hanging, never a figure under test.
 */
export async function until(check: () => boolean, ms = 2000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not reached within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
