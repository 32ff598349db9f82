// What tests read from the system under test (API answers, GitHub payloads, generated configs):
// JSON read by shape, as each test expects it to be. Its values are untyped by nature, and this
// is the one place in the tests that says so.

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read by shape in assertions
export type Json = any;
