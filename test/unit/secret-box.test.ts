import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, test } from 'vitest';
import { createSecretBox, ensureSecretKey, loadSecretKey, MissingSecretKeyError, SecretOpenError } from '../../src/secrets/secret-box.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('secret box (AES-256-GCM)', () => {
  const box = createSecretBox(randomBytes(32));

  test('seals to a different text each time and opens back', () => {
    const a = box.seal('-----BEGIN RSA PRIVATE KEY-----', 'github-app:1:private-key');
    const b = box.seal('-----BEGIN RSA PRIVATE KEY-----', 'github-app:1:private-key');
    expect(a).not.toBe(b);
    expect(a).not.toContain('PRIVATE');
    expect(box.open(a, 'github-app:1:private-key')).toBe('-----BEGIN RSA PRIVATE KEY-----');
  });

  test('refuses another context, another key, or one changed character', () => {
    const sealed = box.seal('token', 'build-secret:app_1:a');
    expect(() => box.open(sealed, 'build-secret:app_2:a')).toThrow(SecretOpenError);
    expect(() => createSecretBox(randomBytes(32)).open(sealed, 'build-secret:app_1:a')).toThrow(SecretOpenError);
    const parts = sealed.split('.');
    const body = parts[3] as string;
    parts[3] = (body[0] === 'A' ? 'B' : 'A') + body.slice(1);
    expect(() => box.open(parts.join('.'), 'build-secret:app_1:a')).toThrow(SecretOpenError);
    expect(() => box.open('plain text', 'x')).toThrow(/not a sealed value/);
  });

  test('without a configured key or key file, loading fails; berth dev makes the file once, readable by its owner only', () => {
    const keyFile = join(dir, 'secret.key');
    expect(() => loadSecretKey({ key: undefined, keyFile })).toThrow(MissingSecretKeyError);
    const first = ensureSecretKey({ key: undefined, keyFile });
    expect(first).toHaveLength(32);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(loadSecretKey({ key: undefined, keyFile }).equals(first)).toBe(true);
    expect(ensureSecretKey({ key: undefined, keyFile }).equals(first)).toBe(true);
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(first.toString('base64'));
    const given = randomBytes(32);
    expect(loadSecretKey({ key: given, keyFile }).equals(given)).toBe(true);
  });
});
