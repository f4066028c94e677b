/** topK is sort-then-slice without the sort: the same items in the same order, ties in input order. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { topK } from '../../src/operator/domains/top-k.js';

describe('topK', () => {
  it('returns what a stable sort then slice returns, for any list, bound and ties', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ rank: fc.integer({ min: 0, max: 5 }), id: fc.nat() })), fc.integer({ min: 0, max: 12 }), (items, k) => {
        const compare = (a: { rank: number }, b: { rank: number }) => b.rank - a.rank;
        expect(topK(items, k, compare)).toEqual([...items].sort(compare).slice(0, k));
      }),
    );
  });
});
