/**
 * Cookie rotation on the operator surface: per cookie its service, its
 * monitor (worker status, last status, last attempt, consecutive failures)
 * and its keys as the last report masked them, then the latest failed
 * rotations across cookies. A cookie's value never leaves this module: the
 * state is parsed without it, and only whether it is sealed at rest is
 * read from it; keys show as `name#hash`, the cookie package's own mask.
 */
import { z } from 'zod';
import { COOKIES, CookieStateSchema, type CookieMonitor, type MaskedKey } from '../../actors/cookies/index.js';
import type { Cell, OperatorDomain, RecordReader } from '../domain.js';
import { topK } from './top-k.js';
import { readReports, ReportEntrySchema, REPORTS_PER_COOKIE, reportsToRead, type CookieReports } from './cookie-reports.js';

/** The state as the domain parses it: ids, revision and monitor (not the value, not the report list, read apart). */
const VisibleStateSchema = CookieStateSchema.pick({ cookieId: true, service: true, revision: true, monitor: true });
/** Cookies read per page, and at most. */
const PAGE = 1_000;
const SCANNED = 10_000;
/** Cookies listed (failing first), and failed rotations listed. */
const LISTED = 100;
const FAILURES_LISTED = 20;
const MESSAGE_SHOWN = 160;

const ago = (now: number, at: number | null): string | null => (at === null ? null : `${Math.max(0, Math.round((now - at) / 1000))}s ago`);
const masked = (keys: readonly MaskedKey[]): string | null =>
  keys.length === 0 ? null : keys.map((key) => (key.present ? `${key.key}#${key.hash ?? '?'}` : `${key.key} (missing)`)).join(' ');

/** How a stored value is kept: sealed with AES-256-GCM, as it is (no key configured), or none. */
function atRest(value: unknown): string {
  if (typeof value !== 'string') return 'none';
  return value.startsWith('gcm1:') ? 'sealed' : value.startsWith('plain:') ? 'plain' : 'unknown';
}

/** What the domain takes from one stored cookie state; `null` for a record that is not a cookie state. */
interface CookieFacts extends CookieReports {
  readonly service: string | null;
  readonly revision: number;
  readonly monitor: CookieMonitor;
  readonly rest: string;
}

/**
 * Parsed facts by stored value. Stores hand out deep-frozen values shared
 * between reads, so a cookie that has not changed since the last read is the
 * same object and is not parsed again: a dashboard refresh parses only what
 * changed (a store that hands out fresh values, PostgreSQL's, parses all).
 */
const factsByValue = new WeakMap<object, CookieFacts | null>();

function factsOf(value: unknown): CookieFacts | null {
  if (typeof value !== 'object' || value === null) return parseFacts(value);
  let facts = factsByValue.get(value);
  if (facts === undefined) {
    facts = parseFacts(value);
    factsByValue.set(value, facts);
  }
  return facts;
}

function parseFacts(value: unknown): CookieFacts | null {
  const parsed = VisibleStateSchema.safeParse(value);
  if (!parsed.success) return null;
  const { cookieId, service, revision, monitor } = parsed.data;
  const stored = value as { value?: unknown; reports?: unknown };
  return { cookieId, service, revision, monitor, rest: atRest(stored.value), newest: newestReports(cookieId, stored.reports), consecutiveFailures: monitor.consecutiveFailures };
}

const NewestSchema = z.array(ReportEntrySchema);

/** A state's newest kept report entries (the list is oldest first), the malformed ones left out: one parse for the list, entry by entry only if it fails. */
function newestReports(cookieId: string, reports: unknown): CookieReports['newest'] {
  const list = Array.isArray(reports) ? reports.slice(-REPORTS_PER_COOKIE) : [];
  const whole = NewestSchema.safeParse(list);
  const entries = whole.success ? whole.data : list.flatMap((entry) => {
    const parsed = ReportEntrySchema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
  return entries.map((entry) => ({ cookieId, ...entry }));
}

/**
 * Cookies: counts by worker status and last status, each cookie's monitor
 * (failing first), and the latest failed rotations with their messages
 * (which name keys and statuses, never values). Reads the cookie states a
 * page at a time and a bounded number of reports, newest first.
 *
 * @example
 * ```ts
 * dashboard({ system, reader: persistence, domains: [cookiesDomain()] });
 * ```
 */
export function cookiesDomain(): OperatorDomain {
  return {
    name: 'cookies',
    title: 'Cookie rotation',
    read: async (reader, { now }) => {
      const counts: Record<string, number> = { total: 0, scheduled: 0, rotating: 0, stopped: 0, error: 0, failing: 0, sealed: 0 };
      const alerts: string[] = [];
      const cookies: CookieFacts[] = [];
      const needAction: string[] = [];
      const { records, more } = await readCookies(reader);
      // One pass for the counts; table cells are made for the listed cookies only.
      for (const record of records) {
        const facts = factsOf(record.value);
        counts.total = (counts.total ?? 0) + 1;
        if (facts === null) {
          alerts.push(`cookie ${record.key} is not a valid cookie state`);
          continue;
        }
        const { workerStatus, consecutiveFailures } = facts.monitor;
        counts[workerStatus] = (counts[workerStatus] ?? 0) + 1;
        if (facts.rest === 'sealed') counts.sealed = (counts.sealed ?? 0) + 1;
        if (consecutiveFailures > 0) counts.failing = (counts.failing ?? 0) + 1;
        if (workerStatus === 'error') needAction.push(facts.cookieId);
        cookies.push(facts);
      }
      if (more) alerts.push(`more than ${SCANNED} cookies: counts and tables cover the first ${SCANNED}`);
      if (needAction.length > 0) alerts.push(`${needAction.length} cookie(s) need action (status error): ${needAction.slice(0, 5).join(', ')}${needAction.length > 5 ? ', …' : ''}`);
      const listed = topK(cookies, LISTED, (a, b) => b.consecutiveFailures - a.consecutiveFailures || (b.monitor.lastAttemptAt ?? 0) - (a.monitor.lastAttemptAt ?? 0));
      const reports = await readReports(reader, reportsToRead(cookies, listed));
      const keysByCookie = new Map<string, string | null>();
      for (const report of reports) if (!keysByCookie.has(report.cookieId)) keysByCookie.set(report.cookieId, masked(report.keys));
      const rows = listed.map(({ cookieId, service, revision, monitor, rest }): Cell[] => [
        cookieId,
        service,
        monitor.workerStatus,
        monitor.lastStatus,
        ago(now, monitor.lastAttemptAt),
        monitor.consecutiveFailures,
        revision,
        rest,
        keysByCookie.get(cookieId) ?? null,
      ]);
      const failures = reports
        .filter((report) => report.status !== 'success')
        .slice(0, FAILURES_LISTED)
        .map((report) => [report.cookieId, report.service, report.attemptNumber, report.status, ago(now, report.finishedAt), report.message.slice(0, MESSAGE_SHOWN)]);
      return {
        counts,
        tables: [
          { title: `cookies (failing first, up to ${LISTED})`, columns: ['cookie', 'service', 'worker', 'last status', 'last attempt', 'consecutive failures', 'revision', 'at rest', 'keys (last report)'], rows },
          { title: 'latest failed rotations', columns: ['cookie', 'service', 'attempt', 'status', 'finished', 'message'], rows: failures },
        ],
        alerts,
      };
    },
  };
}

async function readCookies(reader: RecordReader) {
  const records = [];
  for (let after: string | undefined; records.length < SCANNED; ) {
    const page = await reader.query(COOKIES, { ...(after === undefined ? {} : { after }), limit: PAGE });
    records.push(...page);
    if (page.length < PAGE) return { records, more: false };
    after = page[page.length - 1]?.key;
  }
  return { records, more: (await reader.query(COOKIES, { after: records[records.length - 1]?.key ?? '', limit: 1 })).length > 0 };
}
