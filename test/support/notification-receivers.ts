// Real local receivers for notifications: an HTTP server on loopback that records every request
// (and answers as the test says), and an SMTP server (smtp-server) that accepts and keeps mail.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { freePort } from './free-port.js';

export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** What the receiver answered. */
  status: number;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export interface HttpReceiver {
  url(path: string): string;
  requests: Received[];
  /** Requests to paths starting with `prefix`, answered 2xx. */
  accepted(prefix: string): Received[];
  /** Decides the answer (default 200); may wait to hold a request open. */
  answer: (path: string, body: string) => number | Promise<number>;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const port = await freePort();
  const receiver: HttpReceiver = {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    requests: [],
    accepted: (prefix) => receiver.requests.filter((r) => r.path.startsWith(prefix) && r.status < 300),
    answer: () => 200,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = req.url ?? '/';
      const at = Date.now();
      void Promise.resolve(receiver.answer(path, body)).then((status) => {
        receiver.requests.push({ path, headers: req.headers, body, status, at });
        res.writeHead(status, { 'content-type': 'application/json' }).end(path.includes('/telegram') ? '{"ok":true,"result":{}}' : '{}');
      });
    });
  });
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return receiver;
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpReceiver {
  port: number;
  mails: Mail[];
  close(): Promise<void>;
}

/** A real SMTP server on loopback: plain (no TLS), no authentication. */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const port = await freePort();
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return { port, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
