// Build and deploy logs carry ANSI colour codes (docker build, npm, …). They are turned into
// runs of text with a colour class — never into HTML, so a log line cannot inject markup — and
// every other escape sequence is dropped.

export interface AnsiRun {
  text: string;
  /** ansi-fg-0 … ansi-fg-15, ansi-bold, ansi-dim; empty for plain text. */
  classes: string[];
}

// CSI sequences (ESC [ … final byte) and OSC ones (ESC ] … BEL or ESC \).
const ESCAPES = /\u001b\[([0-9;?]*)([@-~])|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

export function parseAnsi(line: string): AnsiRun[] {
  const runs: AnsiRun[] = [];
  let fg: number | null = null;
  let bold = false;
  let dim = false;
  let last = 0;
  const push = (text: string) => {
    if (!text) return;
    const classes = [...(fg === null ? [] : [`ansi-fg-${fg}`]), ...(bold ? ['ansi-bold'] : []), ...(dim ? ['ansi-dim'] : [])];
    runs.push({ text, classes });
  };
  for (const m of line.matchAll(ESCAPES)) {
    push(line.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[2] !== 'm') continue;
    const codes = (m[1] || '0').split(';').map((c) => Number(c || 0));
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i] as number;
      if (c === 0) [fg, bold, dim] = [null, false, false];
      else if (c === 1) bold = true;
      else if (c === 2) dim = true;
      else if (c === 22) [bold, dim] = [false, false];
      else if (c >= 30 && c <= 37) fg = c - 30;
      else if (c >= 90 && c <= 97) fg = c - 90 + 8;
      else if (c === 39) fg = null;
      else if (c === 38) {
        // 38;5;n (256 colours): the first 16 map onto the palette; others, and 38;2;r;g;b, show as the default colour.
        fg = codes[i + 1] === 5 && (codes[i + 2] ?? 99) < 16 ? (codes[i + 2] as number) : null;
        i += codes[i + 1] === 5 ? 2 : 4;
      }
    }
  }
  push(line.slice(last));
  return runs;
}
