import { expect, test } from 'vitest';

test('the project runs on Node 22 or newer (client-node 2 needs undici 8)', () => {
  const major = Number(process.versions.node.split('.')[0]);
  expect(major).toBeGreaterThanOrEqual(22);
});
