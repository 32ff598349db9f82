// A stack's way back after a failed watch goes service by service (routes of the exposed ones,
// then a Swarm revert of the others); each step is settled on its own so that one service's
// failure neither leaves its siblings running unawaited nor hides which service failed.

/** Names the services whose step was rejected, with why; null when none was. */
export function switchBackFailures(step: string, services: string[], results: PromiseSettledResult<unknown>[], why: (err: unknown) => string): string | null {
  const failed = services.flatMap((service, i) => {
    const result = results[i];
    return result?.status === 'rejected' ? [`${service} (${why(result.reason)})`] : [];
  });
  return failed.length > 0 ? `${step} failed for ${failed.join(', ')}` : null;
}
