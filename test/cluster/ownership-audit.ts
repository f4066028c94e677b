/**
 * Checks, from the database alone, what the cluster fixtures' counters
 * wrote: each bump's sink record `<key>/<count>` (same commit as the state)
 * names the node and lease token it was written under.
 */
import type pg from 'pg';

/** What the audit found; `violations` is empty when every rule held. */
export interface Audit {
  readonly violations: string[];
  readonly keys: number;
  readonly writes: number;
  /** Entities whose owner changed at least once. */
  readonly moved: number;
}

/**
 * Rules: every state change has its sink record (counts 1..count, none
 * missing); at every token exactly one node wrote; tokens never go down as
 * counts go up (so an owner change comes with a strictly larger token); no
 * acknowledged count is above the durable one (nothing acknowledged was lost).
 */
export async function auditOwnership(pool: pg.Pool, schema: string, acked: ReadonlyMap<string, number>): Promise<Audit> {
  const records = `"${schema}".steward_records`;
  const counters = await pool.query<{ key: string; value: { count: number } }>(`SELECT key, value FROM ${records} WHERE collection = 'counters'`);
  const sink = await pool.query<{ key: string; value: { node: string; token: number } }>(`SELECT key, value FROM ${records} WHERE collection = 'sink' ORDER BY key`);
  const byKey = new Map<string, Array<{ count: number; node: string; token: number }>>();
  for (const row of sink.rows) {
    const slash = row.key.lastIndexOf('/');
    const key = row.key.slice(0, slash);
    const list = byKey.get(key) ?? [];
    list.push({ count: Number(row.key.slice(slash + 1)), ...row.value });
    byKey.set(key, list);
  }
  const violations: string[] = [];
  let moved = 0;
  for (const { key, value } of counters.rows) {
    const writes = byKey.get(key) ?? [];
    if (writes.length !== value.count || writes.some((write, i) => write.count !== i + 1)) violations.push(`${key}: ${value.count} bumps but sink counts ${writes.map((w) => w.count).join(',')}`);
    const owners = new Map<number, string>();
    let last = 0;
    let changes = 0;
    for (const write of writes) {
      const owner = owners.get(write.token);
      if (owner !== undefined && owner !== write.node) violations.push(`${key}: token ${write.token} written by ${owner} and ${write.node}`);
      owners.set(write.token, write.node);
      if (write.token < last) violations.push(`${key}: token went down from ${last} to ${write.token} at count ${write.count}`);
      if (write.token !== last && last !== 0) changes += 1;
      last = write.token;
    }
    if (changes > 0) moved += 1;
  }
  const durable = new Map(counters.rows.map((row) => [row.key, row.value.count]));
  for (const [key, count] of acked) if ((durable.get(key) ?? 0) < count) violations.push(`${key}: bump ${count} acknowledged, durable count ${durable.get(key) ?? 0}`);
  return { violations, keys: counters.rows.length, writes: sink.rows.length, moved };
}
