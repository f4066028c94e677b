/**
 * Cookie rotation on the operator surface: per cookie its service, its
 * monitor (worker status, last status, last attempt, consecutive failures)
 * and its keys as the last report masked them, then the latest failed
 * rotations across cookies. A cookie's value never leaves this module: the
 * state is parsed without it, and only whether it is sealed at rest is
 * read from it; keys show as `name#hash`, the cookie package's own mask.
 */
import { COOKIE_REPORTS, COOKIES, CookieStateSchema, RotationReportSchema, type MaskedKey } from '../../actors/cookies/index.js';
import { ownedKey } from '../../index.js';
import type { Cell, OperatorDomain, RecordReader } from '../domain.js';

/** The state as the domain may see it: everything but the value. */
const VisibleStateSchema = CookieStateSchema.omit({ value: true });
/** Cookies read per page, and at most. */
const PAGE = 1_000;
const SCANNED = 10_000;
/** Cookies listed (failing first), and failed rotations listed. */
const LISTED = 100;
const FAILURES_LISTED = 20;
/** Newest reports of each cookie considered for the failures, and reports read at most per view. */
const REPORTS_PER_COOKIE = 5;
const REPORT_READS = 200;
const MESSAGE_SHOWN = 160;

const ago = (now: number, at: number | null): string | null => (at === null ? null : `${Math.max(0, Math.round((now - at) / 1000))}s ago`);
const masked = (keys: readonly MaskedKey[]): string | null =>
  keys.length === 0 ? null : keys.map((key) => (key.present ? `${key.key}#${key.hash ?? '?'}` : `${key.key} (missing)`)).join(' ');

/** How a stored value is kept: sealed with AES-256-GCM, as it is (no key configured), or none. */
function atRest(value: unknown): string {
  if (typeof value !== 'string') return 'none';
  return value.startsWith('gcm1:') ? 'sealed' : value.startsWith('plain:') ? 'plain' : 'unknown';
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
      const cookies: Array<{ cookieId: string; cells: Cell[]; failures: number; lastAttemptAt: number }> = [];
      const candidates: Array<{ cookieId: string; key: string; finishedAt: number }> = [];
      const needAction: string[] = [];
      const { records, more } = await readCookies(reader);
      for (const record of records) {
        const parsed = VisibleStateSchema.safeParse(record.value);
        counts.total = (counts.total ?? 0) + 1;
        if (!parsed.success) {
          alerts.push(`cookie ${record.key} is not a valid cookie state`);
          continue;
        }
        const state = parsed.data;
        const { workerStatus, lastStatus, lastAttemptAt, consecutiveFailures } = state.monitor;
        const rest = atRest((record.value as { value?: unknown }).value);
        counts[workerStatus] = (counts[workerStatus] ?? 0) + 1;
        if (rest === 'sealed') counts.sealed = (counts.sealed ?? 0) + 1;
        if (consecutiveFailures > 0) counts.failing = (counts.failing ?? 0) + 1;
        if (workerStatus === 'error') needAction.push(state.cookieId);
        const newest = state.reports.slice(-REPORTS_PER_COOKIE);
        for (const report of newest) candidates.push({ cookieId: state.cookieId, key: report.key, finishedAt: report.finishedAt });
        cookies.push({
          cookieId: state.cookieId,
          cells: [state.cookieId, state.service, workerStatus, lastStatus, ago(now, lastAttemptAt), consecutiveFailures, state.revision, rest],
          failures: consecutiveFailures,
          lastAttemptAt: lastAttemptAt ?? 0,
        });
      }
      if (more) alerts.push(`more than ${SCANNED} cookies: counts and tables cover the first ${SCANNED}`);
      if (needAction.length > 0) alerts.push(`${needAction.length} cookie(s) need action (status error): ${needAction.slice(0, 5).join(', ')}${needAction.length > 5 ? ', …' : ''}`);
      cookies.sort((a, b) => b.failures - a.failures || b.lastAttemptAt - a.lastAttemptAt);
      const latest = await latestReports(reader, candidates);
      const keysByCookie = new Map<string, string | null>();
      for (const report of latest.all) if (!keysByCookie.has(report.cookieId)) keysByCookie.set(report.cookieId, masked(report.keys));
      const rows = cookies.slice(0, LISTED).map(({ cookieId, cells }) => [...cells, keysByCookie.get(cookieId) ?? null]);
      const failures = latest.failed.map((report) => [report.cookieId, report.service, report.attemptNumber, report.status, ago(now, report.finishedAt), report.message.slice(0, MESSAGE_SHOWN)]);
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

/** Reads the candidate reports newest first, within a budget: the newest of each cookie's (its keys), and the failed ones. */
async function latestReports(reader: RecordReader, candidates: Array<{ cookieId: string; key: string; finishedAt: number }>) {
  candidates.sort((a, b) => b.finishedAt - a.finishedAt || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
  const reports = await Promise.all(candidates.slice(0, REPORT_READS).map(({ cookieId, key }) => reader.get(COOKIE_REPORTS, ownedKey(cookieId, key))));
  const all = reports.flatMap((record) => {
    const parsed = RotationReportSchema.safeParse(record?.value);
    return parsed.success ? [parsed.data] : [];
  });
  return { all, failed: all.filter((report) => report.status !== 'success').slice(0, FAILURES_LISTED) };
}
