/**
 * Which rotation reports the cookies domain reads, within a budget, and
 * reading them. A cookie's state lists its kept reports with their finish
 * times (oldest first) and its monitor counts the failures in a row, so the
 * reports worth reading are known before any is read: the newest of each
 * listed cookie (its keys), the newest ones of failing cookies (failed, by
 * the monitor), and the newest ones overall (recent failures of cookies
 * that recovered since).
 * @internal
 */
import { z } from 'zod';
import { COOKIE_REPORTS, RotationReportSchema, type RotationReport } from '../../actors/cookies/index.js';
import { ownedKey } from '../../index.js';
import type { RecordReader } from '../domain.js';
import { topK } from './top-k.js';

/** A kept report as the cookie state lists it. */
export const ReportEntrySchema = z.object({ key: z.string(), finishedAt: z.number() });
/** Newest reports of each cookie considered. */
export const REPORTS_PER_COOKIE = 5;
/** Reports read per group (failing cookies', newest overall). */
const READS_PER_GROUP = 100;

/** One report a cookie state names. */
export interface ReportRef {
  readonly cookieId: string;
  readonly key: string;
  readonly finishedAt: number;
}

/** What a cookie contributes: its newest kept reports (oldest first) and its failures in a row. */
export interface CookieReports {
  readonly cookieId: string;
  readonly newest: readonly ReportRef[];
  readonly consecutiveFailures: number;
}

const byFinishDesc = (a: ReportRef, b: ReportRef) => b.finishedAt - a.finishedAt || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0);

/** The reports to read: `listed` cookies' newest, then the failing cookies' and the overall newest, each group bounded. */
export function reportsToRead(cookies: readonly CookieReports[], listed: readonly CookieReports[]): ReportRef[] {
  // A cookie failing n times in a row: its newest n reports are failures.
  const failing = cookies.filter((cookie) => cookie.consecutiveFailures > 0).flatMap((cookie) => cookie.newest.slice(-Math.min(cookie.consecutiveFailures, REPORTS_PER_COOKIE)));
  // The overall newest come from the cookies whose newest report is newest: no more than a group's worth of cookies.
  const newestOf = (cookie: CookieReports) => cookie.newest[cookie.newest.length - 1] as ReportRef;
  const recent = topK(
    cookies.filter((cookie) => cookie.newest.length > 0),
    READS_PER_GROUP,
    (a, b) => byFinishDesc(newestOf(a), newestOf(b)),
  ).flatMap((cookie) => cookie.newest);
  const picked = new Map<string, ReportRef>();
  const take = (refs: readonly ReportRef[]) => refs.forEach((ref) => picked.set(ownedKey(ref.cookieId, ref.key), ref));
  take(listed.flatMap((cookie) => cookie.newest.slice(-1)));
  take(topK(failing, READS_PER_GROUP, byFinishDesc));
  take(topK(recent, READS_PER_GROUP, byFinishDesc));
  return [...picked.values()].sort(byFinishDesc);
}

/** Parsed reports by stored value: reports never change, and stores share their frozen values between reads, so each is parsed once. */
const parsedReports = new WeakMap<object, RotationReport | null>();

function reportOf(value: unknown): RotationReport | null {
  if (typeof value !== 'object' || value === null) return null;
  let report = parsedReports.get(value);
  if (report === undefined) {
    const parsed = RotationReportSchema.safeParse(value);
    report = parsed.success ? parsed.data : null;
    parsedReports.set(value, report);
  }
  return report;
}

/** Reads `refs` (newest first); reports that are gone (pruned meanwhile) or malformed are skipped. */
export async function readReports(reader: RecordReader, refs: readonly ReportRef[]): Promise<RotationReport[]> {
  const records = await Promise.all(refs.map((ref) => reader.get(COOKIE_REPORTS, ownedKey(ref.cookieId, ref.key))));
  return records.flatMap((record) => {
    const report = reportOf(record?.value);
    return report === null ? [] : [report];
  });
}
