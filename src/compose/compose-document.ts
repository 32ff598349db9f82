// A compose file as parsed YAML. It is checked against the Compose Specification's JSON Schema
// before anything reads it, then read by shape: its values are untyped by nature, and this is
// the one place that says so.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML, schema-checked, read by shape
export type ComposeDocument = Record<string, any>;
