// Variables as the API takes and shows them, at any level: values in, secret ones sealed where
// they will live; out, secret ones by name only.

/** Secret values never leave: only their names. */
export function presentVariables(rows: { key: string; value: string; secret: boolean }[]) {
  return {
    variables: Object.fromEntries(rows.filter((r) => !r.secret).map((r) => [r.key, r.value])),
    secret: rows.filter((r) => r.secret).map((r) => r.key).sort(),
  };
}

/** Rows to store: values of keys listed in `secret` sealed with `seal` (bound to the row). */
export function variableRows(variables: Record<string, string>, secret: string[] | undefined, seal: (value: string, key: string) => string) {
  const secrets = new Set(secret ?? []);
  return Object.entries(variables).map(([key, value]) => (secrets.has(key) ? { key, secret: true, value: seal(value, key) } : { key, secret: false, value }));
}
