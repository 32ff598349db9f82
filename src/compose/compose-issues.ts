// What is wrong with a compose file, as a list of issues each naming where (a dotted path such
// as services.web.privileged) and why. The API turns ComposeInvalid into a 400 with these issues.
// Warnings have the same shape: what Berth translated or ignored, shown by the dry run.

export interface ComposeIssue {
  path: string;
  message: string;
}

export class ComposeInvalid extends Error {
  constructor(readonly issues: ComposeIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    this.name = 'ComposeInvalid';
  }
}

export function joinPath(path: (string | number)[]): string {
  return path.map(String).join('.') || '(file)';
}

/** Collects issues (refusals) and warnings (translations) while a compose document is read. */
export class ComposeFindings {
  readonly issues: ComposeIssue[] = [];
  readonly warnings: ComposeIssue[] = [];

  refuse(path: string, message: string): void {
    this.issues.push({ path, message });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }
}
