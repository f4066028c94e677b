import { describe, expect, it } from 'vitest';
import { validateBatch } from '../../src/persistence/write-ops.js';

describe('unstorable values', () => {
  it('names where a cycle closes, and tells it apart from deep nesting', () => {
    const cyclic: Record<string, unknown> = { list: [] };
    (cyclic['list'] as unknown[]).push({ back: cyclic });
    expect(() => validateBatch([{ op: 'put', collection: 'c', key: 'k', value: { ok: 1, cyclic } }])).toThrow(
      'Invalid write: batch[0] (c/k).value.cyclic.list[0].back is not storable: circular reference.',
    );
    let deep: unknown = 1;
    for (let i = 0; i < 150; i++) deep = [deep];
    expect(() => validateBatch([{ op: 'put', collection: 'c', key: 'k', value: deep }])).toThrow(/is not storable: nested deeper than 100 levels/);
    const shared = { n: 1 };
    expect(validateBatch([{ op: 'put', collection: 'c', key: 'k', value: { a: shared, b: [shared] } }])).toHaveLength(1);
  });
});
