// Pull-request previews: environment pr-<number>, its host names derived from the number.

export function previewEnvironmentName(pullRequest: number): string {
  return `pr-${pullRequest}`;
}

/** A template's own domains, one level down per pull request: web.example.com → pr-7.web.example.com */
export function previewDomains(templateDomains: string[], pullRequest: number): string[] {
  return templateDomains.map((d) => `${previewEnvironmentName(pullRequest)}.${d}`);
}

/** An app's pull request whose preview a lifecycle workflow (previewLifecycle) keeps. */
export interface PreviewTarget {
  appId: string;
  appName: string;
  number: number;
  repository: string;
  templateEnvironmentId: string;
  idleSeconds: number;
}
