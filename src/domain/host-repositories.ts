// A repository a git host connection's credentials reach, as every host's listing reads.
export interface HostRepository {
  /** owner/name (GitLab: the project's path with its namespace; Bitbucket: workspace/slug). */
  fullName: string;
  private: boolean;
  defaultBranch: string | null;
  htmlUrl: string | null;
}
