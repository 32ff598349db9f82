// Lists as people and scripts read them: aligned columns under a header on a terminal (like
// kubectl), tab-separated rows without one when piped (like gh), so `cut -f` works.

export type Row = (string | number | boolean | null | undefined)[];

const cell = (v: Row[number]) => (v === null || v === undefined || v === '' ? '-' : String(v));

export function formatTable(headers: string[], rows: Row[], terminal: boolean): string {
  const cells = rows.map((r) => r.map(cell));
  if (!terminal) return cells.map((r) => r.join('\t')).join('\n');
  const all = [headers, ...cells];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('   ').trimEnd()).join('\n');
}
