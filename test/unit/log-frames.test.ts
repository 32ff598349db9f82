import { describe, expect, test } from 'vitest';
import { parseMoment } from '../../api/schemas/app-logs.js';
import { compileLogPattern, lineFilter, LogDemuxer, MAX_LINE_CHARS } from '../../src/domain/log-frames.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('LogDemuxer', () => {
  test('splits frames into lines by stream, whatever the chunking', () => {
    const bytes = Buffer.concat([
      frame(1, '2026-11-29T21:00:00.1Z out one\n2026-11-29T21:00:00.2Z out two\n'),
      frame(2, '2026-11-29T21:00:00.25Z err one\n'),
      frame(1, '2026-11-29T21:00:00.3Z partial '),
      frame(1, 'rest\n'),
    ]);
    for (const size of [1, 3, 7, 8, 9, 64, bytes.length]) {
      const demux = new LogDemuxer();
      const lines = [];
      for (let i = 0; i < bytes.length; i += size) lines.push(...demux.push(bytes.subarray(i, i + size)));
      lines.push(...demux.end());
      expect(lines, `chunks of ${size}`).toEqual([
        { at: '2026-11-29T21:00:00.100000000Z', stream: 'stdout', message: 'out one' },
        { at: '2026-11-29T21:00:00.200000000Z', stream: 'stdout', message: 'out two' },
        { at: '2026-11-29T21:00:00.250000000Z', stream: 'stderr', message: 'err one' },
        // A line split over two frames is one line, stamped with its first part's time.
        { at: '2026-11-29T21:00:00.300000000Z', stream: 'stdout', message: 'partial rest' },
      ]);
    }
  });

  test('a TTY stream is raw stdout; a last line without newline comes at the end; long lines are cut', () => {
    const demux = new LogDemuxer(true);
    expect(demux.push(Buffer.from('2026-11-29T21:00:01Z hello\r\n2026-11-29T21:00:02Z bye'))).toEqual([{ at: '2026-11-29T21:00:01.000000000Z', stream: 'stdout', message: 'hello' }]);
    expect(demux.end()).toEqual([{ at: '2026-11-29T21:00:02.000000000Z', stream: 'stdout', message: 'bye' }]);
    const long = new LogDemuxer().push(frame(1, `2026-11-29T21:00:00Z ${'x'.repeat(MAX_LINE_CHARS + 10)}\n`));
    expect(long[0]?.message).toHaveLength(MAX_LINE_CHARS + 1);
  });
});

describe('filters', () => {
  test('patterns: compiled, bounded, no nested repetition', () => {
    expect(compileLogPattern('^ERROR \\d+')).toBeInstanceOf(RegExp);
    expect(compileLogPattern('(a+)+')).toMatch(/repeated group/);
    expect(compileLogPattern('(x*)*y')).toMatch(/repeated group/);
    expect(compileLogPattern('(ab|cd){2,}')).toBeInstanceOf(RegExp);
    expect(compileLogPattern('[')).toMatch(/not a regular expression/);
    expect(compileLogPattern('a'.repeat(201))).toMatch(/200/);
  });

  test('text (any case) and pattern both apply', () => {
    const keep = lineFilter({ contains: 'warn', match: /\d{3}/ });
    expect(keep('WARN code 500')).toBe(true);
    expect(keep('WARN code 5')).toBe(false);
    expect(keep('info code 500')).toBe(false);
    expect(lineFilter({})('anything')).toBe(true);
  });

  test('moments: RFC 3339 or a duration before now', () => {
    const now = Date.parse('2026-11-29T21:00:00Z');
    expect(parseMoment('15m', now)?.toISOString()).toBe('2026-11-29T20:45:00.000Z');
    expect(parseMoment('2d', now)?.toISOString()).toBe('2026-11-27T21:00:00.000Z');
    expect(parseMoment('2026-11-29T20:00:00+01:00', now)?.toISOString()).toBe('2026-11-29T19:00:00.000Z');
    for (const bad of ['yesterday', '15', '2026-11-29', '2026-13-40T00:00:00Z', '-5m']) expect(parseMoment(bad, now), bad).toBeNull();
  });
});
