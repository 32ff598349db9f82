// An env_file as Compose reads it: KEY=VALUE lines, # comments and blank lines skipped, an
// optional `export `, values in single quotes taken literally, in double quotes with \n \t \"
// and \\ escapes, unquoted values up to an inline " #" comment; a bare KEY has no value.

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(?:=(.*))?$/;

export function parseEnvFile(text: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*(#|$)/.test(raw)) continue;
    const m = LINE.exec(raw);
    if (!m) continue;
    const key = m[1] as string;
    out[key] = m[2] === undefined ? null : value(m[2].trim());
  }
  return out;
}

function value(v: string): string {
  if (v.startsWith("'")) {
    const end = v.indexOf("'", 1);
    return end === -1 ? v.slice(1) : v.slice(1, end);
  }
  if (v.startsWith('"')) {
    let out = '';
    for (let i = 1; i < v.length; i++) {
      const c = v[i] as string;
      if (c === '"') break;
      if (c === '\\' && i + 1 < v.length) {
        const n = v[++i] as string;
        out += n === 'n' ? '\n' : n === 't' ? '\t' : n;
      } else out += c;
    }
    return out;
  }
  const comment = v.search(/\s#/);
  return (comment === -1 ? v : v.slice(0, comment)).trim();
}
