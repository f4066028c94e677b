/**
 * `npm start`: the whole mission on the embedded lowdb store in `./data` (or
 * `STEWARD_DATA_DIR`). Several users cook their own collections at once
 * against the local generation service (with duplicated and dropped webhooks
 * and failing submits), and an intruder is refused; a job queue downloads
 * posts from the local media host through the media pipeline (403s until
 * re-extraction, HTML junk, a login wall, 5xx); cookies rotate on their
 * schedules against the local cookie providers (one flaky, one config
 * missing); two worker processes race to register over HTTP (one is
 * refused, naming the other) and a later one of a newer build brings a
 * version drift, which is reported.
 * Each cook and the queue have a live bar (the cookies a counter); every
 * tick checks every domain's invariants. A second run resumes unfinished
 * cooks and media jobs, or starts a fresh round if the last one ended.
 * Exit code 0, or 1 if an invariant broke or a job ended other than
 * expected (2 if the deadline passed first, 130 on Ctrl-C; progress is
 * saved either way). Logs carry ids and counts only, never a cookie value.
 *
 * This entry installs the Ctrl-C handling before anything else loads (the
 * demo's modules take a while on a busy machine), so an interrupt at any
 * moment is graceful: the first SIGINT or SIGTERM stops the domains and
 * prints the summary of what ran so far, then exits 130; a second one exits
 * 130 at once (the worker processes are killed on the way out).
 */

const interrupt = new AbortController();
process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
process.stdout.write('steward demo (Ctrl-C stops it gracefully and prints what ran so far)\n');
const { runDemo } = await import('./demo-run.js');
runDemo(interrupt.signal).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const code = (error as { code?: string }).code;
    process.stderr.write(`demo failed: ${code ?? (error instanceof Error ? error.name : 'error')}${error instanceof Error ? `: ${error.message}` : ''}\n`);
    process.exit(1);
  },
);

function onSignal(): void {
  if (!interrupt.signal.aborted) return interrupt.abort();
  process.stderr.write('interrupted again: exiting now (progress is saved up to the last commit)\n');
  process.exit(130);
}
