import { Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { createLogger } from '../../src/logger.js';

test('secrets never reach a log line; other fields do', () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const log = createLogger({ level: 'info', format: 'json' }, sink);
  log.info(
    {
      password: 'hunter2',
      token: 'ghs_abc',
      variables: { DATABASE_PASSWORD: 's3cret' },
      app: { secret: 'nested-secret', name: 'web' },
      headers: { authorization: 'Bearer xyz', accept: 'json' },
    },
    'something happened',
  );
  const out = lines.join('');
  for (const secret of ['hunter2', 'ghs_abc', 's3cret', 'nested-secret', 'Bearer xyz']) expect(out).not.toContain(secret);
  expect(out).toContain('"name":"web"');
  expect(out).toContain('"accept":"json"');
  expect(JSON.parse(out).msg).toBe('something happened');
});
