// Schemathesis, installed by scripts/setup.sh (test) into the tools cache from PyPI.
import { join } from 'node:path';

/** Keep in step with SCHEMATHESIS_VERSION in scripts/setup.sh. */
export const SCHEMATHESIS_VERSION = '4.32.5';

export function schemathesisBinary(toolsDir: string): string {
  return join(toolsDir, `schemathesis-${SCHEMATHESIS_VERSION}`, 'bin', 'st');
}
