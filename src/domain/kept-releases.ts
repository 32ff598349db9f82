// Which releases keep their containers after a deploy: the retention window, plus the release in
// hot standby when the window does not already hold it. Pure: the deploy workflow (older
// histories) and the host's tidy step (tidy-release.ts) decide it the same way.

export function keptReleases(retained: string[], standbyReleaseId: string | null): string[] {
  return standbyReleaseId && !retained.includes(standbyReleaseId) ? [...retained, standbyReleaseId] : retained;
}
