/**
 * The lease store contract, one set of cases run against both lease tables:
 * PostgreSQL (its `now()` the clock) and memory (a virtual clock). Time
 * passing is each table's own: the virtual clock advances, or every
 * PostgreSQL expiry moves back by as much (the same to a table that only
 * compares expiries with its clock).
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryLeaseTable, PgLeaseTable, type LeaseTable } from '../../src/cluster/index.js';
import { PgStore } from '../../src/persistence/index.js';
import { VirtualClock } from '../../src/index.js';
import { dropSchema, PG_URL, randomSchema, skipPg } from '../persistence/pg-env.js';

interface Harness {
  readonly table: LeaseTable;
  /** Lets `ms` pass on the table's clock. */
  elapse(ms: number): Promise<void>;
  close(): Promise<void>;
}

const TTL = 60_000;
/** Far more than the real time the PostgreSQL statements of a case take. */
const SLACK = 5_000;

const IMPLEMENTATIONS: ReadonlyArray<{ readonly name: string; readonly skip: boolean; readonly make: () => Promise<Harness> }> = [
  {
    name: 'memory',
    skip: false,
    make: async () => {
      const clock = new VirtualClock();
      return { table: new MemoryLeaseTable(clock), elapse: async (ms) => clock.advance(ms), close: async () => undefined };
    },
  },
  {
    name: 'postgres',
    skip: skipPg,
    make: async () => {
      const schema = randomSchema();
      const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
      const store = await PgStore.open({ pool, schema }); // its migrations make the lease table
      return {
        table: new PgLeaseTable({ pool, schema }),
        elapse: async (ms) => void (await pool.query(`UPDATE "${schema}".steward_leases SET expires_at = expires_at - $1 * interval '1 millisecond'`, [ms])),
        close: async () => {
          await store.close();
          await pool.end();
          await dropSchema(schema);
        },
      };
    },
  },
];

const fence = (key: string, node: string, token: number) => ({ type: 'cook', key, node, token });

for (const implementation of IMPLEMENTATIONS) {
  describe.skipIf(implementation.skip)(`lease table contract: ${implementation.name}`, () => {
    let harness: Harness | undefined;
    const open = async () => (harness = await implementation.make());
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });

    it('one holder at a time: the first acquisition gets token 1, another node is told who holds it and for how long', async () => {
      const { table } = await open();
      expect(await table.acquire('cook', 'c-1', 'node-a', TTL)).toEqual({ token: 1 });
      const refused = await table.acquire('cook', 'c-1', 'node-b', TTL);
      expect(refused).toMatchObject({ owner: 'node-a' });
      const remaining = 'remainingMs' in refused ? refused.remainingMs : -1;
      expect(remaining).toBeGreaterThan(TTL - SLACK);
      expect(remaining).toBeLessThanOrEqual(TTL);
      expect(await table.acquire('cook', 'c-1', 'node-a', TTL)).toEqual({ token: 2 }); // the holder again: a new token
      expect(await table.acquire('cook', 'c-2', 'node-b', TTL)).toEqual({ token: 1 }); // tokens are per entity
    });

    it('takeover only once the lease has expired, at ttl', async () => {
      const { table, elapse } = await open();
      await table.acquire('cook', 'c-1', 'node-a', TTL);
      await elapse(TTL - SLACK);
      expect(await table.acquire('cook', 'c-1', 'node-b', TTL)).toMatchObject({ owner: 'node-a' });
      await elapse(SLACK);
      expect(await table.acquire('cook', 'c-1', 'node-b', TTL)).toEqual({ token: 2 });
      expect(await table.acquire('cook', 'c-1', 'node-a', TTL)).toMatchObject({ owner: 'node-b' });
    });

    it('a release frees the entity at once and keeps its token; a release by anyone else, or at an old token, does nothing', async () => {
      const { table } = await open();
      await table.acquire('cook', 'c-1', 'node-a', TTL);
      await table.release('node-b', [fence('c-1', 'node-b', 1)]);
      await table.release('node-a', [fence('c-1', 'node-a', 7)]);
      expect(await table.acquire('cook', 'c-1', 'node-b', TTL)).toMatchObject({ owner: 'node-a' });
      await table.release('node-a', [fence('c-1', 'node-a', 1)]);
      expect(await table.acquire('cook', 'c-1', 'node-b', TTL)).toEqual({ token: 2 });
      await table.release('node-a', [fence('c-1', 'node-a', 1)]); // the old holder's late release
      expect(await table.acquire('cook', 'c-1', 'node-a', TTL)).toMatchObject({ owner: 'node-b' });
    });

    it('a renewal extends only the leases still held, live, at their token', async () => {
      const { table, elapse } = await open();
      await table.acquire('cook', 'c-1', 'node-a', TTL);
      await table.acquire('cook', 'c-2', 'node-a', TTL);
      await elapse(TTL - SLACK);
      const renewed = await table.renew('node-a', TTL, [fence('c-1', 'node-a', 1), fence('c-2', 'node-a', 9), fence('c-3', 'node-a', 1)]);
      expect(renewed).toEqual([fence('c-1', 'node-a', 1)]);
      await elapse(SLACK);
      expect(await table.acquire('cook', 'c-1', 'node-b', TTL)).toMatchObject({ owner: 'node-a' }); // renewed: still a's
      expect(await table.acquire('cook', 'c-2', 'node-b', TTL)).toEqual({ token: 2 }); // not renewed: expired, taken over
      expect(await table.renew('node-a', TTL, [fence('c-2', 'node-a', 1)])).toEqual([]);
    });

    it('an expired lease is not renewed, even if nobody took it over', async () => {
      const { table, elapse } = await open();
      await table.acquire('cook', 'c-1', 'node-a', TTL);
      await elapse(TTL);
      expect(await table.renew('node-a', TTL, [fence('c-1', 'node-a', 1)])).toEqual([]);
      expect(await table.acquire('cook', 'c-1', 'node-a', TTL)).toEqual({ token: 2 });
    });

    it('tokens only grow: every acquisition adds one, through releases, expiries and takeovers', async () => {
      const { table, elapse } = await open();
      const tokens: number[] = [];
      for (let round = 0; round < 6; round++) {
        const node = round % 2 === 0 ? 'node-a' : 'node-b';
        const acquired = await table.acquire('cook', 'c-1', node, TTL);
        if (!('token' in acquired)) throw new Error(`${node} should have acquired c-1 in round ${round}`);
        tokens.push(acquired.token);
        if (round % 3 === 0) await table.release(node, [fence('c-1', node, acquired.token)]);
        else await elapse(TTL);
      }
      expect(tokens).toEqual([1, 2, 3, 4, 5, 6]);
    });
  });
}
