// What one repository sync (workflow syncRepositories) did.

export interface SyncResult {
  installations: number;
  repositories: number;
  removed: number;
  skipped: string | null;
}
