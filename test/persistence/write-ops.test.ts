import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlainWriteOp, validateBatch, writeOpSchema } from '../../src/persistence/write-ops.js';

/** Op-like objects: valid ones and near misses (wrong op, bad names, odd revisions, missing or extra fields). */
const opLike = fc.record(
  {
    op: fc.constantFrom('put', 'patch', 'delete', 'upsert', 1),
    collection: fc.constantFrom('items', 'a.b:c-d_e', '', 'bad name', 'x'.repeat(201), 7),
    key: fc.constantFrom('k', 'u/1', '', 'tab\there', 'é ü', 'k'.repeat(1025), null),
    value: fc.constantFrom(1, 'v', null, { n: 1 }, [1], undefined),
    patch: fc.constantFrom({ n: 1 }, {}, [1], null, 'p'),
    expectedRevision: fc.constantFrom(0, 3, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2, undefined, '1'),
    extra: fc.constant(true),
  },
  { requiredKeys: [] },
);

describe('write-op validation', () => {
  it('takes the fast path only for ops the zod schema accepts', () => {
    fc.assert(
      fc.property(opLike, (op) => {
        if (isPlainWriteOp(op)) expect(writeOpSchema.safeParse(op).success).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });

  it('takes the fast path for the ops steward itself writes', () => {
    expect(isPlainWriteOp({ op: 'put', collection: 'accounts', key: 'a1', value: { balance: 1 }, expectedRevision: 3 })).toBe(true);
    expect(isPlainWriteOp({ op: 'patch', collection: 'accounts', key: 'a1', patch: { balance: 2 } })).toBe(true);
    expect(isPlainWriteOp({ op: 'delete', collection: 'accounts', key: 'a1', expectedRevision: undefined })).toBe(true);
  });

  it('leaves inherited fields to the schema', () => {
    const inherited = Object.create({ op: 'delete' }) as Record<string, unknown>;
    Object.assign(inherited, { collection: 'items', key: 'k' });
    expect(isPlainWriteOp(inherited)).toBe(false);
  });

  it('accepts and rejects exactly what the schema does, fast path or not', () => {
    fc.assert(
      fc.property(opLike, (op) => {
        const schemaAccepts = writeOpSchema.safeParse(op).success && (op.op !== 'put' || Object.hasOwn(op, 'value'));
        let accepted = true;
        try {
          validateBatch([op as never]);
        } catch (error) {
          // Values the schema lets through can still be unstorable (undefined): that is freezeJson's verdict, not the schema's.
          accepted = false;
          expect(error).toMatchObject({ code: 'ERR_INVALID_WRITE' });
        }
        if (accepted) expect(schemaAccepts).toBe(true);
        else if (schemaAccepts) expect(op.op === 'put' && op.value === undefined).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });
});

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
