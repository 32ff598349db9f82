// Parallel steps on several routes: each settles before the first failure is thrown, so that
// the undo that follows never runs while a sibling's activity (retrying) still writes a route
// file it is about to remove or put back.

/** Like Promise.all, but waits for every promise before rethrowing the first rejection. */
export async function settleAll<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}
