// Docker's log stream as lines. Without a TTY the engine multiplexes stdout and stderr into
// frames (an 8-byte header: stream type, three zero bytes, payload length big-endian); with
// `timestamps` each line starts with its RFC 3339 time. Pure, so it is tested without Docker.

export type LogStream = 'stdout' | 'stderr';

export interface RawLine {
  /** RFC 3339 with nine fractional digits (so times sort as text). */
  at: string;
  stream: LogStream;
  message: string;
}

/** Longer lines are cut here (and marked): a log line is read by people and matched by filters. */
export const MAX_LINE_CHARS = 8192;

const HEADER = 8;
const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z) ?/;

/** The engine trims trailing zeros of the fraction; nine digits make times sort as text. */
function fixedWidth(at: string): string {
  const [whole = '', fraction = ''] = at.slice(0, -1).split('.');
  return `${whole}.${fraction.padEnd(9, '0').slice(0, 9)}Z`;
}

function toLine(stream: LogStream, text: string): RawLine {
  const stamp = TIMESTAMP.exec(text);
  const rest = stamp ? text.slice(stamp[0].length) : text;
  const message = rest.length > MAX_LINE_CHARS ? `${rest.slice(0, MAX_LINE_CHARS)}…` : rest;
  return { at: stamp?.[1] ? fixedWidth(stamp[1]) : '', stream, message: message.replace(/\r$/, '') };
}

/**
 * Takes the stream's bytes in whatever chunks they arrive and gives back the complete lines;
 * a frame or line cut between chunks waits for the rest. `tty`: the stream is raw stdout.
 */
export class LogDemuxer {
  private pending: Buffer = Buffer.alloc(0);
  private partial: Record<LogStream, string> = { stdout: '', stderr: '' };

  constructor(private readonly tty = false) {}

  push(chunk: Buffer): RawLine[] {
    const lines: RawLine[] = [];
    if (this.tty) {
      this.collect('stdout', chunk.toString('utf8'), lines);
      return lines;
    }
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.pending.length >= HEADER) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < HEADER + size) break;
      const stream: LogStream = this.pending[0] === 2 ? 'stderr' : 'stdout';
      this.collect(stream, this.pending.subarray(HEADER, HEADER + size).toString('utf8'), lines);
      this.pending = this.pending.subarray(HEADER + size);
    }
    return lines;
  }

  /** What is left when the stream ends: a last line without its newline. */
  end(): RawLine[] {
    const lines = (['stdout', 'stderr'] as const).filter((s) => this.partial[s]).map((s) => toLine(s, this.partial[s]));
    this.partial = { stdout: '', stderr: '' };
    return lines;
  }

  private collect(stream: LogStream, text: string, into: RawLine[]): void {
    const parts = (this.partial[stream] + text).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const p of parts) into.push(toLine(stream, p));
  }
}

/** A line filter: plain text (case-insensitive) and/or a regular expression, both must match. */
export function lineFilter(options: { contains?: string | undefined; match?: RegExp | undefined }): (message: string) => boolean {
  const needle = options.contains?.toLowerCase();
  return (message) => (needle === undefined || message.toLowerCase().includes(needle)) && (options.match === undefined || options.match.test(message));
}

/** Patterns whose matching time can explode (a repeated group that itself repeats, e.g. (a+)+). */
const NESTED_REPETITION = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]/;

/** Checks a user's pattern: bounded length, compiles, no nested repetition. Returns the problem, or the RegExp. */
export function compileLogPattern(source: string): RegExp | string {
  if (source.length > 200) return 'at most 200 characters';
  if (NESTED_REPETITION.test(source)) return 'a repeated group that itself repeats (such as (a+)+) is refused: its matching time can explode';
  try {
    return new RegExp(source);
  } catch (err) {
    return `not a regular expression: ${(err as Error).message}`;
  }
}
