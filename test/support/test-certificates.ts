// Certificates for upload tests, made by openssl in a temp directory: a CA of their own and
// leaves for given names (a negative day count makes one that has already expired).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  cert: string;
  key: string;
}

export interface TestCa extends Pem {
  /** A leaf for these DNS names, signed by this CA, valid for `days` (default 30). */
  issue(names: string[], days?: number): Pem;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

export function makeTestCa(name = 'Berth Test CA'): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'berth-certs-'));
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '30', '-subj', `/CN=${name}`, '-keyout', 'ca.key', '-out', 'ca.crt'], dir);
  let serial = 0;
  return {
    cert: readFileSync(join(dir, 'ca.crt'), 'utf8'),
    key: readFileSync(join(dir, 'ca.key'), 'utf8'),
    issue(names, days = 30) {
      const n = ++serial;
      writeFileSync(join(dir, `${n}.ext`), `subjectAltName=${names.map((d) => `DNS:${d}`).join(',')}\nbasicConstraints=CA:FALSE\n`);
      openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${names[0]}`, '-keyout', `${n}.key`, '-out', `${n}.csr`], dir);
      openssl(['x509', '-req', '-in', `${n}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', String(1000 + n), '-days', String(days), '-extfile', `${n}.ext`, '-out', `${n}.crt`], dir);
      return { cert: readFileSync(join(dir, `${n}.crt`), 'utf8'), key: readFileSync(join(dir, `${n}.key`), 'utf8') };
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
