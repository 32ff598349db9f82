// Docker API answers that are outcomes, not failures: 304 (already in that state), 404 (gone).

export function statusCode(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err ? Number((err as { statusCode: unknown }).statusCode) : undefined;
}

export const isNotFound = (err: unknown) => statusCode(err) === 404;
export const isConflict = (err: unknown) => statusCode(err) === 409;
export const isNotModified = (err: unknown) => statusCode(err) === 304;

/** Runs a Docker call whose "already done" answers (304, and 404 when `gone` is ok) are success. */
export async function tolerate(call: () => Promise<unknown>, options: { gone?: boolean } = {}): Promise<void> {
  try {
    await call();
  } catch (err) {
    if (isNotModified(err) || (options.gone && isNotFound(err))) return;
    throw err;
  }
}
