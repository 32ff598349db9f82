// The client's committed types are exactly what the API's current OpenAPI document generates:
// a change to a route's zod schema that was not followed by `npm run api-types` fails here.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { API_TYPES_PATH, generateApiTypes } from '../../scripts/api-types.js';

test('src/client/api-types.ts matches the API’s OpenAPI document (else run npm run api-types)', async () => {
  const committed = readFileSync(API_TYPES_PATH, 'utf8');
  const current = await generateApiTypes();
  expect(committed === current, 'src/client/api-types.ts is out of date: run `npm run api-types` and commit it').toBe(true);
});
