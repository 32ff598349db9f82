// Pull-request previews: environment pr-<number>, its host names derived from the number.

export function previewEnvironmentName(pullRequest: number): string {
  return `pr-${pullRequest}`;
}

/** A template's own domains, one level down per pull request: web.example.com → pr-7.web.example.com */
export function previewDomains(templateDomains: string[], pullRequest: number): string[] {
  // A wildcard already covers pr-<n>.<its suffix>: the preview's own names come from the others.
  return templateDomains.filter((d) => !d.startsWith('*.')).map((d) => `${previewEnvironmentName(pullRequest)}.${d}`);
}

/** What a preview's lifecycle workflow (previewLifecycle) is started with: the pull request and where it comes from. */
export interface PreviewTarget {
  appId: string;
  appName: string;
  number: number;
  repository: string;
  templateEnvironmentId: string;
  idleSeconds: number;
}
