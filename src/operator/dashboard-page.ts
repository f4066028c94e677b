/**
 * The dashboard's page: one static HTML string, no build step. Its script
 * listens to `events` (Server-Sent Events) and redraws from each snapshot
 * with `textContent` only, so no value in a snapshot can become markup.
 * @internal
 */
export const DASHBOARD_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>steward</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2330; background: #f7f8fa; }
  h1 { font-size: 1.3rem; margin: 0 0 .3rem; } h2 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
  .status { color: #5a6272; } .grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: .6rem; }
  .card { background: #fff; border: 1px solid #dde1e8; border-radius: 6px; padding: .6rem .8rem; }
  .card b { display: block; font-size: 1.4rem; } .card b.timing { font-size: .95rem; } table { border-collapse: collapse; background: #fff; margin-bottom: .6rem; }
  th, td { border: 1px solid #dde1e8; padding: .2rem .6rem; text-align: left; } th { background: #eef1f5; }
  .alert { color: #9b1c1c; font-weight: 600; } .muted { color: #8a91a0; }
</style>
</head>
<body>
<h1>steward</h1>
<div class="status">update <span id="tick">0</span> · <span id="at">connecting…</span> · <span id="link">live</span></div>
<div class="grid" id="cards"></div>
<h2>Actors by type</h2><div id="actors"></div>
<h2>Deepest mailboxes</h2><div id="mailboxes"></div>
<h2>Pools</h2><div id="pools"></div>
<h2>Recent incidents</h2><div id="incidents"></div>
<div id="domains"></div>
<div id="actions"></div>
<script>
const base = location.pathname.endsWith('/') ? location.pathname : location.pathname + '/';
const el = (tag, text, cls) => { const node = document.createElement(tag); if (text !== undefined) node.textContent = String(text); if (cls) node.className = cls; return node; };
function table(columns, rows) {
  if (rows.length === 0) return el('p', 'none', 'muted');
  const t = el('table'); const head = el('tr');
  for (const c of columns) head.append(el('th', c));
  t.append(head);
  for (const row of rows) { const tr = el('tr'); for (const cell of row) tr.append(el('td', cell === null ? '' : cell)); t.append(tr); }
  return t;
}
function fill(id, ...nodes) { document.getElementById(id).replaceChildren(...nodes); }
function card(label, value, id, cls) { const c = el('div', undefined, 'card'); const b = el('b', value, cls); if (id) b.id = id; c.append(b, el('span', label)); return c; }
const ms = (t) => t.timed ? t.count + ' · mean ' + t.meanMs.toFixed(2) + ' ms · p99 ≤ ' + (t.p99Ms ?? '?') + ' ms' : 'off (recordTimings)';
function render(s) {
  document.getElementById('tick').textContent = String(s.tick);
  document.getElementById('at').textContent = new Date(s.at).toLocaleTimeString();
  const dead = Object.values(s.events.deadLetters).reduce((a, b) => a + b, 0);
  fill('cards', card('live actors', s.actors.live, 'live-actors'), card('queued messages', s.mailboxes.queued, 'queued'),
    card('turns timed', s.turns.count, 'turns'), card('dead letters', dead, 'dead-letters'), card('crashes', s.events.crashes, 'crashes'),
    card('commit timings', ms(s.commits), 'commit-timings', 'timing'), card('turn timings', ms(s.turns), 'turn-timings', 'timing'));
  fill('actors', table(['type', 'live', 'queued'], Object.entries(s.actors.byType).map(([t, n]) => [t, n, s.mailboxes.byType[t] ?? 0])));
  fill('mailboxes', table(['actor', 'depth'], s.mailboxes.deepest.map((m) => [m.type + '/' + m.key, m.depth])));
  fill('pools', table(['pool', 'queued', 'running', 'capacity', 'utilization'], Object.entries(s.pools).map(([p, m]) => [p, m.queued, m.running, m.capacity, Math.round(m.utilization * 100) + ' %'])));
  fill('incidents', table(['time', 'event', 'actor', 'detail'], s.incidents.map((i) => [new Date(i.at).toLocaleTimeString(), i.event, i.actor, i.detail])));
  const sections = [];
  for (const d of s.domains) {
    const section = el('section'); section.id = 'domain-' + d.name; section.append(el('h2', d.title));
    for (const a of d.view.alerts) section.append(el('p', a, 'alert'));
    section.append(el('p', Object.entries(d.view.counts).map(([k, v]) => k + ' ' + v).join(' · '), 'muted'));
    for (const t of d.view.tables) { section.append(el('div', t.title, 'muted'), table(t.columns, t.rows)); }
    sections.push(section);
  }
  fill('domains', ...sections);
  renderActions(s.actions);
}
let actionsShown = false;
function renderActions(actions) {
  const names = Object.entries(actions).flatMap(([d, list]) => list.map((a) => d + '/' + a));
  if (names.length === 0 || actionsShown) return;
  actionsShown = true;
  const form = el('form'); const pick = el('select'); for (const n of names) pick.append(el('option', n));
  const target = el('input'); target.placeholder = 'target id'; const token = el('input'); token.type = 'password'; token.placeholder = 'token';
  const out = el('span', '', 'muted');
  form.append(pick, target, token, el('button', 'run'), out);
  form.onsubmit = async (event) => {
    event.preventDefault();
    const res = await fetch(base + 'actions/' + pick.value + '?target=' + encodeURIComponent(target.value), { method: 'POST', headers: { authorization: 'Bearer ' + token.value } });
    out.textContent = (await res.json()).message ?? res.status;
  };
  fill('actions', el('h2', 'Actions'), form);
}
const source = new EventSource(base + 'events');
source.onmessage = (event) => render(JSON.parse(event.data));
source.onerror = () => { document.getElementById('link').textContent = 'reconnecting…'; };
source.onopen = () => { document.getElementById('link').textContent = 'live'; };
</script>
</body>
</html>
`;
