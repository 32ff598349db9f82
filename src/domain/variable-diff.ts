// What changed between two releases' variables. Secret values are compared but never shown: a
// secret key reads only as changed or unchanged.

export interface SnapshotVariable {
  value: string;
  secret: boolean;
}

export interface VariableChange {
  key: string;
  secret: boolean;
  /** Absent when either side is secret. */
  from?: string;
  to?: string;
}

export interface VariableDiff {
  added: { key: string; secret: boolean; value?: string }[];
  removed: { key: string; secret: boolean }[];
  changed: VariableChange[];
  unchanged: { key: string; secret: boolean }[];
}

export function diffVariables(a: Record<string, SnapshotVariable>, b: Record<string, SnapshotVariable>): VariableDiff {
  const diff: VariableDiff = { added: [], removed: [], changed: [], unchanged: [] };
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const key of keys) {
    const from = a[key];
    const to = b[key];
    if (!from && to) diff.added.push(to.secret ? { key, secret: true } : { key, secret: false, value: to.value });
    else if (from && !to) diff.removed.push({ key, secret: from.secret });
    else if (from && to) {
      const secret = from.secret || to.secret;
      if (from.value === to.value && from.secret === to.secret) diff.unchanged.push({ key, secret });
      else diff.changed.push(secret ? { key, secret } : { key, secret, from: from.value, to: to.value });
    }
  }
  return diff;
}
