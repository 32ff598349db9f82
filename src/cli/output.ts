// Where the CLI writes: data to stdout (a table, a value, JSON), messages and progress to stderr.
// `--output json` turns every command's data into JSON (one document, or NDJSON for streams).
import { formatTable, type Row } from './table.js';

export type OutputFormat = 'text' | 'json';

export interface Output {
  format: OutputFormat;
  /** Whether stdout is a terminal (tables with headers; otherwise tab-separated). */
  stdoutTty: boolean;
  /** Whether stderr is a terminal (live progress; otherwise plain lines). */
  stderrTty: boolean;
  line(text: string): void;
  json(value: unknown): void;
  /** A list: JSON of the items with --output json, else a table. */
  list<T>(items: T[], headers: string[], row: (item: T) => Row): void;
  note(text: string): void;
}

export function createOutput(format: OutputFormat): Output {
  const stdoutTty = Boolean(process.stdout.isTTY);
  const out: Output = {
    format,
    stdoutTty,
    stderrTty: Boolean(process.stderr.isTTY),
    line: (text) => void process.stdout.write(`${text}\n`),
    json: (value) => out.line(JSON.stringify(value, null, stdoutTty ? 2 : undefined)),
    list(items, headers, row) {
      if (format === 'json') return out.json(items);
      if (items.length === 0 && stdoutTty) return out.note('nothing to list');
      if (items.length) out.line(formatTable(headers, items.map(row), stdoutTty));
    },
    note: (text) => void process.stderr.write(`${text}\n`),
  };
  return out;
}
