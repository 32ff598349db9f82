// Compose's value forms turned into what Docker takes: durations, byte sizes, shell-style
// command strings, and the "list or dict" form of environment and labels.

const DURATION_UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1m30s", "500ms", "10s" → milliseconds; null when it is not a duration. */
export function parseDuration(text: string): number | null {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return null;
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * (DURATION_UNITS[p[2] as string] as number), 0));
}

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** "512m", "1g", "1048576" → bytes; null when it is not a size. */
export function parseBytes(value: string | number): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value) : null;
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = BYTE_UNITS[(m?.[2] ?? '').toLowerCase()];
  return m && unit !== undefined ? Math.round(Number(m[1]) * unit) : null;
}

/** Splits a command string the way a POSIX shell splits words (quotes and backslashes). */
export function splitCommand(text: string): string[] | null {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1] as string)) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) return null;
  if (inWord) words.push(word);
  return words;
}

/** A command as a list: lists as they are, strings split like a shell. */
export function commandList(value: unknown): string[] | null {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(String);
  return splitCommand(String(value));
}

/**
 * The "list or dict" form ("KEY=VALUE" items, or a mapping) as a mapping; null values are
 * kept as null (Compose then takes the value from the environment).
 */
export function listOrDict(value: unknown): Record<string, string | null> {
  if (!value) return {};
  if (Array.isArray(value)) {
    const out: Record<string, string | null> = {};
    for (const item of value.map(String)) {
      const eq = item.indexOf('=');
      if (eq === -1) out[item] = null;
      else out[item.slice(0, eq)] = item.slice(eq + 1);
    }
    return out;
  }
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, v === null || v === undefined ? null : String(v)]));
}
