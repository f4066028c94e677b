/**
 * Durable reminders on the operator surface: how many are pending, which are
 * due (or overdue) now, and which are failing delivery. Shows the owner, the
 * name and the times, never the message a reminder carries.
 */
import type { Cell, OperatorDomain } from '../domain.js';

/** Where the runtime keeps reminders (`steward.reminders`, one record per actor and name). */
const REMINDERS = 'steward.reminders';
/** Most due reminders listed. */
const LISTED = 50;

interface StoredReminder {
  readonly type?: unknown;
  readonly key?: unknown;
  readonly name?: unknown;
  readonly dueAt?: unknown;
  readonly everyMs?: unknown;
  readonly firings?: unknown;
  readonly attempts?: unknown;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '?');
const count = (value: unknown): number => (typeof value === 'number' ? value : 0);

/**
 * Reminders: pending, due now (the most overdue first) and retrying.
 *
 * @example
 * ```ts
 * dashboard({ system, reader: persistence, domains: [remindersDomain()] });
 * ```
 */
export function remindersDomain(): OperatorDomain {
  return {
    name: 'reminders',
    title: 'Reminders',
    read: async (reader, { now }) => {
      const all = await reader.query<StoredReminder>(REMINDERS);
      const due = all.filter((record) => count(record.value.dueAt) <= now).sort((a, b) => count(a.value.dueAt) - count(b.value.dueAt));
      const retrying = all.filter((record) => count(record.value.attempts) > 0).length;
      const rows: Cell[][] = due.slice(0, LISTED).map(({ value }) => [
        `${text(value.type)}/${text(value.key)}`,
        text(value.name),
        `${Math.round((now - count(value.dueAt)) / 1000)}s`,
        count(value.everyMs) > 0 ? `every ${count(value.everyMs)} ms` : 'once',
        count(value.firings),
        count(value.attempts),
      ]);
      const alerts = retrying > 0 ? [`${retrying} reminder(s) failing delivery (retrying)`] : [];
      const columns = ['actor', 'reminder', 'overdue', 'schedule', 'firings', 'failed attempts'];
      return { counts: { pending: all.length, due: due.length, retrying }, tables: [{ title: 'due now', columns, rows }], alerts };
    },
  };
}
