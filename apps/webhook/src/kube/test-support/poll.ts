/** Polls `probe` until it returns true, or fails after `timeoutMs` naming what it waited for. */
export async function poll(
  what: string,
  probe: () => Promise<boolean>,
  options: { timeoutMs?: number; detail?: () => string } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (!(await probe())) {
    if (Date.now() > deadline) {
      const detail = options.detail?.();
      throw new Error(`timed out waiting until ${what}${detail ? `; ${detail}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
