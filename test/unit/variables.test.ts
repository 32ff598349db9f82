import { describe, expect, test } from 'vitest';
import { diffVariables } from '../../src/domain/variable-diff.js';
import { mergeLayers, type VariableLayer } from '../../src/domain/variable-layers.js';
import { resolveReferences, type BerthValues } from '../../src/domain/variable-references.js';
import { checkVariableSchema, ruleProblem } from '../../src/domain/variable-schema.js';

const berth: BerthValues = { app: 'shop', environment: 'prod', release: '7', deployment: 'dep_1', preview: '', url: 'http://shop.prod.localhost:7481' };
const plain = (value: string) => ({ value, secret: false });
const secret = (value: string) => ({ value, secret: true });

function resolve(project: Record<string, string>, env: Record<string, string>, secretKeys: string[] = []) {
  const layers: VariableLayer[] = [
    { source: { level: 'project', environment: null }, variables: Object.fromEntries(Object.entries(project).map(([k, v]) => [k, plain(v)])) },
    { source: { level: 'environment', environment: 'prod' }, variables: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, secretKeys.includes(k) ? secret(v) : plain(v)])) },
  ];
  const merged = mergeLayers(layers);
  return resolveReferences({ project: layers[0]?.variables ?? {}, effective: merged, berth });
}

describe('mergeLayers', () => {
  test('a higher level wins whole, and says where it came from', () => {
    const merged = mergeLayers([
      { source: { level: 'project', environment: null }, variables: { A: plain('p'), B: secret('p') } },
      { source: { level: 'environment', environment: 'base' }, variables: { A: plain('base') } },
      { source: { level: 'environment', environment: 'prod' }, variables: { B: plain('prod') } },
      { source: { level: 'deploy', environment: null }, variables: { C: secret('d') } },
    ]);
    expect(merged.A).toEqual({ value: 'base', secret: false, source: { level: 'environment', environment: 'base' } });
    expect(merged.B).toEqual({ value: 'prod', secret: false, source: { level: 'environment', environment: 'prod' } });
    expect(merged.C?.source.level).toBe('deploy');
  });
});

describe('resolveReferences', () => {
  test('project, environment and Berth values resolve, nested', () => {
    const r = resolve({ HOST: 'db', URL: 'postgres://${{ project.HOST }}:5432' }, { DB: '${{ project.URL }}/${{ berth.app }}', NAME: '${{ environment.DB }}?r=${{ berth.release }}' });
    expect(r.errors).toEqual([]);
    expect(r.variables.DB?.value).toBe('postgres://db:5432/shop');
    expect(r.variables.NAME?.value).toBe('postgres://db:5432/shop?r=7');
  });

  test('a value that takes a secret by reference is secret', () => {
    const r = resolve({}, { PASS: 'hunter2-long', DSN: 'u:${{ environment.PASS }}@h' }, ['PASS']);
    expect(r.variables.DSN).toMatchObject({ value: 'u:hunter2-long@h', secret: true });
  });

  test('unset, unknown and malformed references name their key', () => {
    const r = resolve({}, { A: '${{ project.NOPE }}', B: '${{ berth.nothing }}', C: '${{ env.X }}', D: 'fine' });
    expect(r.errors.map((e) => e.key)).toEqual(['A', 'B', 'C']);
    expect(r.errors[0]?.message).toContain('project.NOPE');
    expect(r.variables.D?.value).toBe('fine');
    expect(r.variables.A).toBeUndefined();
  });

  test('an unclosed opening is refused; a malformed reference in a secret value is not quoted', () => {
    const r = resolve({}, { OPEN: 'x ${{ project.A', SEC: 'pw-${{ s3cr3t-part }}' }, ['SEC']);
    expect(r.errors.map((e) => e.key)).toEqual(['OPEN', 'SEC']);
    expect(r.errors[0]?.message).toMatch(/never closed/);
    expect(JSON.stringify(r.errors)).not.toContain('s3cr3t-part');
  });

  test('cycles are refused, naming every key on them, and $${{ is a literal', () => {
    const r = resolve({}, { A: '${{ environment.B }}', B: 'x${{ environment.A }}', SELF: '${{ environment.SELF }}', LIT: '$${{ project.X }}' });
    expect(r.errors.map((e) => e.key)).toEqual(['A', 'B', 'SELF']);
    expect(r.errors[0]?.message).toMatch(/cycle: environment\.A → environment\.B → environment\.A/);
    expect(r.variables.LIT?.value).toBe('${{ project.X }}');
  });
});

describe('checkVariableSchema', () => {
  test('names each key that fails, never its value', () => {
    const out = checkVariableSchema(
      {
        PORT: { type: 'number', required: true, secret: false },
        DEBUG: { type: 'boolean', required: false, secret: false },
        SITE: { type: 'url', required: true, secret: false },
        MODE: { type: 'enum', required: true, secret: false, values: ['a', 'b'] },
        CODE: { type: 'pattern', required: false, secret: false, pattern: '[A-Z]{3}' },
        KEY: { type: 'string', required: true, secret: true },
      },
      { PORT: plain('80x'), DEBUG: plain('yes'), SITE: plain('not a url'), MODE: plain('c'), CODE: plain('ABCD'), KEY: plain('s3cr3t-value') },
    );
    expect(out.map((v) => v.key)).toEqual(['CODE', 'DEBUG', 'KEY', 'MODE', 'PORT', 'SITE']);
    expect(JSON.stringify(out)).not.toContain('s3cr3t-value');
    expect(checkVariableSchema({ X: { type: 'string', required: true, secret: false } }, {})).toEqual([{ key: 'X', message: 'is required' }]);
    expect(checkVariableSchema({ P: { type: 'number', required: true, secret: false } }, { P: plain('8080') })).toEqual([]);
  });

  test('rules that cannot be checked are named', () => {
    expect(ruleProblem({ type: 'enum', required: false, secret: false })).toMatch(/values/);
    expect(ruleProblem({ type: 'pattern', required: false, secret: false, pattern: '(' })).toMatch(/regular expression/);
  });
});

describe('diffVariables', () => {
  test('secret values read only as changed or unchanged', () => {
    const d = diffVariables({ A: plain('1'), S: secret('old-secret'), T: secret('same'), GONE: plain('x') }, { A: plain('2'), S: secret('new-secret'), T: secret('same'), NEW: secret('n') });
    expect(d.added).toEqual([{ key: 'NEW', secret: true }]);
    expect(d.removed).toEqual([{ key: 'GONE', secret: false }]);
    expect(d.changed).toEqual([{ key: 'A', secret: false, from: '1', to: '2' }, { key: 'S', secret: true }]);
    expect(d.unchanged).toEqual([{ key: 'T', secret: true }]);
    expect(JSON.stringify(d)).not.toMatch(/secret-|same/);
  });
});
