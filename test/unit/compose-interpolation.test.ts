import { describe, expect, test } from 'vitest';
import { interpolateDocument, interpolateString } from '../../src/compose/interpolate.js';

const vars = { SET: 'value', EMPTY: '', PORT: '8080', NESTED: 'inner' };
const run = (text: string) => {
  const unset = new Set<string>();
  return { out: interpolateString(text, vars, unset), unset: [...unset] };
};

describe('compose interpolation', () => {
  test.each([
    ['$SET', 'value'],
    ['${SET}', 'value'],
    ['a-${SET}-b', 'a-value-b'],
    ['${SET:-d}', 'value'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${MISSING:-d}', 'd'],
    ['${MISSING-d}', 'd'],
    ['${MISSING:-${NESTED}}', 'inner'],
    ['${MISSING:-${ALSO_MISSING:-deep}}', 'deep'],
    ['${SET:+yes}', 'yes'],
    ['${EMPTY:+yes}', ''],
    ['${EMPTY+yes}', 'yes'],
    ['${MISSING+yes}', ''],
    ['$$', '$'],
    ['$${SET}', '${SET}'],
    ['cost: $$5', 'cost: $5'],
    ['${SET:?must be set}', 'value'],
    ['${EMPTY?only when unset}', ''],
    ['${MISSING:-a:b}', 'a:b'],
  ])('%s → %s', (text, expected) => {
    expect(run(text).out).toBe(expected);
  });

  test('an unset variable without a default becomes "" and is reported', () => {
    expect(run('x${MISSING}y$ALSO')).toEqual({ out: 'xy', unset: ['MISSING', 'ALSO'] });
  });

  test.each([
    ['${MISSING:?the database password}', /required variable MISSING is missing: the database password/],
    ['${EMPTY:?cannot be empty}', /required variable EMPTY is empty: cannot be empty/],
    ['${MISSING?gone}', /required variable MISSING is missing: gone/],
    ['${SET', /unclosed/],
    ['${1BAD}', /invalid interpolation/],
    ['${SET:x}', /invalid interpolation/],
    ['price $ 5', /write \$\$ for a literal \$/],
  ])('%s is an error', (text, message) => {
    expect(() => run(text)).toThrow(message);
  });

  test('errors in a document name their path; keys are never interpolated', () => {
    const doc = { services: { api: { environment: { DB: '${DB_PASSWORD:?set DB_PASSWORD}', $KEY: '$SET' }, image: 'x:${PORT}' } } };
    const result = interpolateDocument(doc, vars);
    expect(result.issues).toEqual([{ path: 'services.api.environment.DB', message: 'required variable DB_PASSWORD is missing: set DB_PASSWORD' }]);
    expect(result.value.services.api.environment.$KEY).toBe('value');
    expect(result.value.services.api.image).toBe('x:8080');
  });
});
