// mTLS in front of the shared Temporal dev server, which speaks no TLS of its own: a TLS server
// that requires a client certificate signed by the test's CA (as a Temporal frontend with
// requireClientAuth, or an ingress doing mTLS, does) and passes the decrypted gRPC stream on.
// Certificates are made with openssl for the test and removed after it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:tls';

export interface TlsFront {
  address: string;
  dir: string;
  files: { ca: string; clientCert: string; clientKey: string; otherCert: string; otherKey: string };
  /** Connections that presented a client certificate the CA signed, and those refused. */
  counts: { authorized: number; refused: number };
  close(): Promise<void>;
}

function openssl(dir: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCertificates(dir: string): void {
  const ca = (name: string) => {
    openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`);
  };
  ca('ca');
  ca('other-ca');
  const leaf = (name: string, signer: string, ext: string) => {
    openssl(dir, 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(dir, 'x509', '-req', '-in', `${name}.csr`, '-CA', `${signer}.crt`, '-CAkey', `${signer}.key`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.crt`);
  };
  leaf('server', 'ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  leaf('client', 'ca', 'extendedKeyUsage=clientAuth\n');
  leaf('other', 'other-ca', 'extendedKeyUsage=clientAuth\n');
}

export async function startTlsFront(upstream: string): Promise<TlsFront> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-mtls-'));
  makeCertificates(dir);
  const [host, port] = [upstream.replace(/:\d+$/, ''), Number(upstream.replace(/^.*:/, ''))];
  const counts = { authorized: 0, refused: 0 };
  const server = createServer(
    {
      key: readFileSync(join(dir, 'server.key')),
      cert: readFileSync(join(dir, 'server.crt')),
      ca: readFileSync(join(dir, 'ca.crt')),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (socket) => {
      counts.authorized++;
      const back = connect(port, host);
      socket.pipe(back).pipe(socket);
      socket.on('error', () => back.destroy());
      back.on('error', () => socket.destroy());
    },
  );
  server.on('tlsClientError', () => counts.refused++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    address,
    dir,
    counts,
    files: { ca: join(dir, 'ca.crt'), clientCert: join(dir, 'client.crt'), clientKey: join(dir, 'client.key'), otherCert: join(dir, 'other.crt'), otherKey: join(dir, 'other.key') },
    async close() {
      await new Promise<void>((resolve) => (server as unknown as NetServer).close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
