// One root pino logger per process; everything else uses child loggers that carry their
// component, request id, workflow id or activity. Messages are constant, values are fields.
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';

// pino-pretty (and its thirty modules) is loaded only for a terminal: a service logs JSON.
const require = createRequire(import.meta.url);

export type { Logger };

/** Field paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'privateKey',
  '*.privateKey',
  'value',
  'variables.*',
  '*.variables.*',
  'env.*',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature-256"]',
];

export function createLogger(options: Pick<Config['log'], 'level' | 'format'>, destination?: pino.DestinationStream): Logger {
  const base: pino.LoggerOptions = {
    level: options.level,
    base: { pid: process.pid },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  const wantPretty = options.format === 'pretty' || (options.format === 'auto' && process.stdout.isTTY === true);
  if (destination) return pino(base, destination);
  if (wantPretty) return pino(base, (require('pino-pretty') as typeof import('pino-pretty'))({ colorize: true, ignore: 'pid,hostname', sync: true }));
  return pino(base);
}
