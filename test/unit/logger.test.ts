import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { expect, test } from 'vitest';
import { createLogger } from '../../src/logger.js';

const LOGGER = fileURLToPath(new URL('../../src/logger.ts', import.meta.url));

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

test('the pretty format (a terminal) writes readable lines, JSON stays the default off one', () => {
  const run = (format: string) =>
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `import { createLogger } from ${JSON.stringify(LOGGER)}; createLogger({ level: 'info', format: '${format}' }).info({ app: 'web' }, 'deployed');`], {
      encoding: 'utf8',
    });
  const pretty = run('pretty');
  expect(pretty).toMatch(/INFO.*deployed/);
  expect(pretty).toMatch(/app.*web/);
  expect(() => JSON.parse(pretty)).toThrow();
  expect(JSON.parse(run('auto'))).toMatchObject({ msg: 'deployed', app: 'web' }); // stdout is a pipe here
});
