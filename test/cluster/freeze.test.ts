/**
 * A node frozen past its lease (SIGSTOP) wakes up to find its writes refused:
 * a real node process writes under its lease, is stopped, another node takes
 * the entity over by PostgreSQL's clock and writes, the first is continued
 * (SIGCONT) and keeps writing under its old token: every one of those writes
 * is refused with ERR_FENCED, none accepted.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { Leases, PgLeaseTable } from '../../src/cluster/index.js';
import type { Lease } from '../../src/cluster/index.js';
import { PgStore } from '../../src/persistence/index.js';
import { dropSchema, PG_URL, randomSchema, skipPg } from '../persistence/pg-env.js';
import { NodeProcesses } from './node-processes.js';
import { auditOwnership } from './ownership-audit.js';

const TTL_MS = 600;
/** Long enough that a loaded machine's slow commits are not taken for a frozen node's. */
const CLUSTER_TTL_MS = 2_000;
const writer = fileURLToPath(new URL('../../dist/test/cluster/fixtures/fenced-writer.js', import.meta.url));

describe.skipIf(skipPg)('a node frozen past its lease', () => {
  const children: ChildProcess[] = [];
  const closers: Array<() => Promise<void>> = [];

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      child.kill('SIGCONT');
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    for (const close of closers.splice(0).reverse()) await close();
  });

  it('SIGSTOP past the lease, takeover, SIGCONT: its late writes are refused ERR_FENCED, 0 accepted', async () => {
    const schema = randomSchema();
    closers.push(() => dropSchema(schema));
    const pool = new pg.Pool({ connectionString: PG_URL, max: 3 });
    const store = await PgStore.open({ pool, schema }); // creates the schema before the child opens it
    closers.push(async () => {
      await store.close();
      await pool.end();
    });

    const child = spawn(process.execPath, [writer, PG_URL, schema, 'node-a', String(TTL_MS)], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(child);
    const lines: string[] = [];
    const waiters: Array<() => void> = [];
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      lines.push(line);
      for (const wake of waiters.splice(0)) wake();
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    /** Resolves once `count(lines)` reaches `n`; rejects if the child exits first. */
    const until = async (test: () => boolean): Promise<void> => {
      while (!test()) {
        const next = new Promise<void>((resolve) => waiters.push(resolve));
        if ((await Promise.race([next.then(() => 'line'), exited.then(() => 'exit')])) === 'exit' && !test()) throw new Error(`writer exited: ${lines.join('\n')}`);
      }
    };
    const count = (prefix: string, from = 0): number => lines.slice(from).filter((line) => line.startsWith(prefix)).length;

    await until(() => count('accepted ') >= 5);
    expect(lines[0]).toBe('acquired 1');
    child.kill('SIGSTOP');

    const leases = new Leases({ table: new PgLeaseTable({ pool, schema }), node: 'node-b', ttlMs: TTL_MS });
    const early = await leases.acquire('cook', 'c-1');
    expect(early).toMatchObject({ held: false, owner: 'node-a' });
    let lease: Lease | undefined;
    for (let attempt = 0; attempt < 100 && !lease; attempt++) {
      const outcome = await leases.acquire('cook', 'c-1');
      if (outcome.held) lease = outcome.lease;
      else await pool.query('SELECT pg_sleep($1)', [Math.max(outcome.remainingMs, 20) / 1000]);
    }
    if (!lease) throw new Error('node-b never took the lease over');
    expect(lease.token).toBe(2);
    const first = await store.commit([{ op: 'put', collection: 'cooks', key: 'c-1', value: { writer: 'node-b', n: 1 } }], { fence: lease });
    for (let n = 2; n <= 3; n++) await store.commit([{ op: 'put', collection: 'cooks', key: 'c-1', value: { writer: 'node-b', n } }], { fence: lease });
    const afterTakeover = await store.get('cooks', 'c-1');

    const woke = lines.length;
    child.kill('SIGCONT');
    await until(() => count('fenced ', woke) >= 5);
    child.stdin?.end();
    await exited;

    const late = lines.slice(woke);
    const acceptedLate = late.filter((line) => line.startsWith('accepted '));
    // A commit acknowledged by PostgreSQL just before the freeze may only be printed after it: it committed before the takeover, so before node-b's first write.
    const acceptedAfterTakeover = acceptedLate.filter((line) => Number(line.split(' ')[2]) > first.sequence);
    console.log(`frozen writer after SIGCONT: ${count('fenced ', woke)} fenced, ${acceptedAfterTakeover.length} accepted after the takeover, ${count('failed ', woke)} failed otherwise`);
    expect(acceptedAfterTakeover).toEqual([]);
    expect(count('fenced ', woke)).toBeGreaterThanOrEqual(5);
    expect(await store.get('cooks', 'c-1')).toEqual(afterTakeover);
    expect((await store.get('cooks', 'c-1'))?.value).toEqual({ writer: 'node-b', n: 3 });
  });

  it('a cluster node frozen past its lease while its actor writes on its own: after SIGCONT it starts no turn, none of its writes lands, the actor is deactivated', async () => {
    const nodes = new NodeProcesses();
    closers.push(() => nodes.killAll());
    const schema = randomSchema();
    closers.push(() => dropSchema(schema));
    const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    closers.push(() => pool.end());
    await (await PgStore.open({ pool, schema })).close();
    const a = await nodes.start(PG_URL, schema, 'node-a', CLUSTER_TTL_MS);
    const b = await nodes.start(PG_URL, schema, 'node-b', CLUSTER_TTL_MS);
    a.send('tick k-0'); // the actor bumps itself every 10 ms, each bump a fenced commit
    await a.line('ticking ');
    while (a.lines.filter((line) => line.startsWith('ticked ')).length < 5) await a.line('ticked ', a.lines.length);
    a.child.kill('SIGSTOP');
    const frozenAt = a.lines.length;
    // node-b's requests for k-0: those forwarded to the frozen owner end ERR_FORWARD_FAILED after the forward bound
    // (unknown outcome: not resent); the next ones find node-a's lease run out by PostgreSQL's clock, and node-b owns k-0.
    b.send(`load 5000 2 1`);
    const done = JSON.parse((await b.line('done ')).slice(5)) as { answered: number; errors: Record<string, number> };
    expect(Object.keys(done.errors).filter((code) => code !== 'ERR_FORWARD_FAILED')).toEqual([]);
    expect(b.acked().get('k-0')).toBeGreaterThan(0);
    const before = await pool.query<{ node_id: string; token: string }>(`SELECT node_id, token FROM "${schema}".steward_leases WHERE actor_key = 'k-0'`);
    expect(before.rows[0]?.node_id).toBe('node-b');
    const continuedAt = Date.now();
    a.child.kill('SIGCONT');
    const deactivated = await a.line('deactivated k-0 ', frozenAt);
    a.send('close');
    await a.exited;
    const late = a.lines.slice(frozenAt).filter((line) => line.startsWith('ticked '));
    const audit = await auditOwnership(pool, schema, b.acked());
    const fenced = a.lines.slice(frozenAt).filter((line) => line === 'deactivated k-0 ERR_FENCED').length;
    // Its timer's ticks were due while it was frozen: not one may start a turn once it runs again (its lease ran out by its own clock).
    const resumedTurns = a.lines.filter((line) => line.startsWith('turn k-0 ') && Number(line.split(' ')[2]) >= continuedAt);
    console.log(
      `frozen node after SIGCONT: ${deactivated}; ${resumedTurns.length} turns started, ${late.length} of its own writes acknowledged after the freeze, ${fenced} refused ERR_FENCED`,
    );
    expect(resumedTurns, `continued at ${continuedAt}; its lines from the freeze on:\n${a.lines.slice(frozenAt).join('\n')}`).toEqual([]);
    expect(deactivated).toMatch(/^deactivated k-0 (ERR_FENCED|ERR_LEASE_EXPIRED)$/);
    // A tick acknowledged after SIGCONT could only be one committed before the freeze; the audit proves no write of node-a came after node-b's.
    expect(audit.violations).toEqual([]);
    const owner = await pool.query<{ value: { node: string } }>(
      `SELECT value FROM "${schema}".steward_records WHERE collection = 'sink' AND key LIKE 'k-0/%' ORDER BY key DESC LIMIT 1`,
    );
    expect(owner.rows[0]?.value.node).toBe('node-b');
  });
});
