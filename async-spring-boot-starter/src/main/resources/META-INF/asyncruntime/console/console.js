// The tasks console. Everything shown is read from the tasks endpoint's JSON and the metrics endpoint, with the
// browser's own credentials (or the ones typed into "Sign in", sent as HTTP basic on each request), so the
// endpoint's exposure, access and show-values rules decide what appears. No framework, no build step.
'use strict';

const cfg = document.body.dataset;
const TASKS = cfg.tasks;                 // the tasks endpoint, relative to this page
const METRICS = cfg.metrics || null;     // the metrics endpoint, or null when it is not exposed
const REFRESH = Math.max(500, Number(cfg.refresh) || 2000);
const PAGE = 100;                        // rows per page: the table never holds more, whatever the task count
const WINDOW_SECONDS = 5 * 60;           // how much history the charts keep
const $ = (id) => document.getElementById(id);

const state = {
  auth: null, user: null, canCancel: false, loop: null,
  name: '', filterState: '', sort: 'id', offset: 0, total: 0,
  selected: null, busy: false, last: null,
};

// ---------------------------------------------------------------------------------------------------- HTTP

function headers(extra) {
  // X-Requested-With: Spring Security then answers 401 without a WWW-Authenticate challenge, so the browser
  // shows no login dialog of its own; signing in is this page's form.
  const h = Object.assign({ 'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json' }, extra);
  if (state.auth) h.Authorization = state.auth;
  return h;
}

async function request(url, options) {
  const response = await fetch(url, Object.assign({ credentials: 'same-origin', cache: 'no-store' }, options));
  if (!response.ok) {
    let detail = '';
    try { detail = (await response.json()).detail || ''; } catch (e) { /* not a problem detail */ }
    const error = new Error(detail || (response.status + ' from ' + url));
    error.status = response.status;
    throw error;
  }
  return response;
}

const getJson = async (url) => (await request(url, { headers: headers() })).json();

// ---------------------------------------------------------------------------------------------------- formatting

function duration(ms) {
  if (ms == null) return '';
  if (ms < 1000) return ms.toFixed(0) + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
  if (ms < 3600000) return (ms / 60000).toFixed(1) + ' min';
  return (ms / 3600000).toFixed(1) + ' h';
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text == null ? '' : String(text);
  td.title = td.textContent;
  if (className) td.className = className;
  return td;
}

function showError(message) {
  $('error').hidden = !message;
  $('error').textContent = message || '';
}

// ---------------------------------------------------------------------------------------------------- the list

function listUrl() {
  const q = new URLSearchParams({ offset: state.offset, limit: PAGE, sort: state.sort });
  if (state.name) q.set('name', state.name);
  if (state.filterState) q.set('state', state.filterState);
  return TASKS + '?' + q;
}

async function refreshList() {
  const report = await getJson(listUrl());
  state.loop = report.loop;
  state.total = report.total;
  $('loop-name').textContent = '· loop ' + report.loop + ' (' + report.mode + ')';
  $('tasks-total').textContent = report.total.toLocaleString('en') + (state.name || state.filterState ? ' matching' : '');
  const first = report.tasks.length ? report.offset + 1 : 0;
  $('page-info').textContent = first + '–' + (report.offset + report.tasks.length) + ' of ' + report.total.toLocaleString('en');
  $('page-prev').disabled = report.offset === 0;
  $('page-next').disabled = report.offset + report.tasks.length >= report.total;
  const body = document.createElement('tbody');
  for (const t of report.tasks) {
    const row = body.insertRow();
    row.dataset.id = t.id;
    if (t.id === state.selected) row.className = 'selected';
    cell(row, t.id); cell(row, t.name); cell(row, t.state, 'state-' + t.state);
    cell(row, duration(t.ageMillis)); cell(row, t.awaiting); cell(row, t.createdAt);
  }
  $('tasks-table').replaceChild(body, $('tasks-table').tBodies[0]);
}

function setSort(key) {
  // Age is creation order backwards (ids are given out as tasks are created), so it sorts by id on the server.
  const asc = { id: 'id', name: 'name', state: 'state', age: '-id' }[key];
  const desc = asc.startsWith('-') ? asc.slice(1) : '-' + asc;
  state.sort = state.sort === asc ? desc : asc;
  for (const th of document.querySelectorAll('th[data-sort]')) {
    const k = th.dataset.sort;
    const a = { id: 'id', name: 'name', state: 'state', age: '-id' }[k];
    th.className = state.sort === a ? 'asc' : (state.sort === (a.startsWith('-') ? a.slice(1) : '-' + a) ? 'desc' : '');
  }
  state.offset = 0;
  refresh();
}

// ---------------------------------------------------------------------------------------------------- one task

function openDetail(id) {
  state.selected = id;
  $('detail').hidden = false;
  $('cancel-message').value = '';
  for (const row of $('tasks-table').tBodies[0].rows) row.classList.toggle('selected', Number(row.dataset.id) === id);
  refreshDetail();
}

async function refreshDetail() {
  const id = state.selected;
  if (id == null) return;
  let detail;
  try {
    detail = await getJson(TASKS + '/' + id);
  } catch (e) {
    if (e.status !== 404 || state.selected !== id) throw e;
    $('detail-status').textContent = e.message;   // finished: the endpoint says so, and where to look
    $('detail-state').textContent = 'finished';
    $('cancel-form').hidden = true;
    return;
  }
  if (state.selected !== id) return;
  const t = detail.task;
  $('detail-title').textContent = t.name + ' (id ' + t.id + ')';
  $('detail-status').textContent = '';
  $('detail-state').textContent = t.state + (t.cancelling ? ' (cancel requested ×' + t.cancelling + ')' : '');
  $('detail-age').textContent = duration(t.ageMillis);
  $('detail-awaiting').textContent = t.awaiting || '';
  const hidden = 'hidden: shown only to users the endpoint\'s show-values rule allows';
  $('detail-created').textContent = t.createdAt || (detail.stack ? 'not recorded' : hidden);
  $('detail-stack').textContent = detail.stack ? detail.stack.join('\n') || '(no frames)' : hidden;
  $('detail-graph').textContent = detail.callGraph || (detail.stack ? '' : hidden);
  $('cancel-form').hidden = !state.canCancel;
}

async function cancelSelected(event) {
  event.preventDefault();
  const id = state.selected;
  const msg = $('cancel-message').value;
  try {
    const response = await request(TASKS + '/' + id, {
      method: 'POST', headers: headers({ 'Content-Type': 'application/json' }),
      body: JSON.stringify(msg ? { msg } : {}),
    });
    const result = await response.json();
    $('detail-status').textContent = result.cancelRequested ? 'Cancel requested.' : 'Already done (' + result.state + ').';
  } catch (e) {
    $('detail-status').textContent = 'Cancel refused: ' + e.message;
  }
  refresh();
}

/*
 * Whether this user may cancel: a POST for task id 0, which no task has. Actuator checks the id only once the
 * request got through the application's security rules and the endpoint's access, so a 400 naming the id means
 * both allow cancel; 401 or 403 (security, or a CSRF rule), or 405 (the endpoint's access is read-only) mean
 * they do not. It asks the real rules instead of guessing them, and changes nothing.
 */
async function probeCancel() {
  let allowed = false;
  try {
    const r = await fetch(TASKS + '/0', {
      method: 'POST', credentials: 'same-origin', headers: headers({ 'Content-Type': 'application/json' }), body: '{}',
    });
    allowed = r.status === 400 && (await r.json()).parameter === 'id';
  } catch (e) { /* unreachable: no cancel */ }
  state.canCancel = allowed;
  $('cancel-form').hidden = !allowed || state.selected == null;
}

// ---------------------------------------------------------------------------------------------------- finished

async function refreshFinished() {
  const report = await getJson(TASKS + '/finished?limit=50');
  const body = document.createElement('tbody');
  for (const t of report.tasks) {
    const row = body.insertRow();
    row.dataset.id = t.id;
    cell(row, t.id); cell(row, t.name); cell(row, t.state, 'state-' + t.state);
    cell(row, duration(t.ageMillis)); cell(row, t.error); cell(row, t.cancelMessage);
  }
  $('finished-table').replaceChild(body, $('finished-table').tBodies[0]);
}

// ---------------------------------------------------------------------------------------------------- blocked

async function refreshCurrent() {
  const current = await getJson(TASKS + '/current');
  const b = current.blocked;
  $('blocked-banner').hidden = !b;
  if (!b) return;
  const who = b.taskName != null ? 'task \u2018' + b.taskName + '\u2019 (id ' + b.taskId + ')' : 'a callback on thread ' + b.thread;
  $('blocked-text').textContent = 'Event loop ' + current.loop + ' is blocked: ' + who + ' has held it for '
    + duration(b.heldForMillis) + '. No other task or callback runs until it awaits or returns.';
  $('blocked-stack').textContent = b.stack ? b.stack.join('\n') : 'Stack hidden: shown only to users the endpoint\'s show-values rule allows.';
}

// ---------------------------------------------------------------------------------------------------- charts

const series = { t: [], mean: [], max: [], lag: [], active: [] };
let latencyChart = null;
let tasksChart = null;
let previousLatency = null;

function statistic(meter, name) {
  const m = meter.measurements.find((x) => x.statistic === name);
  return m ? m.value : null;
}

async function refreshMetrics() {
  if (!METRICS || !state.loop || typeof uPlot === 'undefined') return;
  const tag = '?tag=' + encodeURIComponent('loop:' + state.loop);
  const [latency, lag, active] = await Promise.all(['async.loop.latency', 'async.loop.lag', 'async.tasks.active']
    .map((name) => getJson(METRICS + '/' + name + tag).catch(() => null)));
  const now = Date.now() / 1000;
  let mean = null;
  if (latency) {
    const count = statistic(latency, 'COUNT');
    const total = statistic(latency, 'TOTAL_TIME');
    // The timer is cumulative: the mean over this refresh is the difference of two readings.
    if (previousLatency && count > previousLatency.count) {
      mean = (total - previousLatency.total) / (count - previousLatency.count) * 1000;
    }
    previousLatency = { count, total };
  }
  series.t.push(now);
  series.mean.push(mean);
  series.max.push(latency ? statistic(latency, 'MAX') * 1000 : null);
  series.lag.push(lag ? statistic(lag, 'VALUE') * 1000 : null);
  series.active.push(active ? statistic(active, 'VALUE') : null);
  while (series.t.length && series.t[0] < now - WINDOW_SECONDS) {
    for (const k of Object.keys(series)) series[k].shift();
  }
  if (!latencyChart) createCharts();
  latencyChart.setData([series.t, series.mean, series.max, series.lag]);
  tasksChart.setData([series.t, series.active]);
}

function chartSize(el) {
  return { width: Math.max(300, el.clientWidth), height: 160 };
}

function createCharts() {
  const axes = (unit) => [{}, { label: unit, size: 60 }];
  latencyChart = new uPlot(Object.assign(chartSize($('chart-latency')), {
    series: [{}, { label: 'latency, mean', stroke: '#2a7a3a', spanGaps: true },
      { label: 'latency, max (recent)', stroke: '#c2571a' }, { label: 'lag', stroke: '#3366cc' }],
    axes: axes('ms'),
  }), [[], [], [], []], $('chart-latency'));
  tasksChart = new uPlot(Object.assign(chartSize($('chart-tasks')), {
    series: [{}, { label: 'active tasks', stroke: '#6a3d9a', fill: 'rgba(106,61,154,.1)' }],
    axes: axes('tasks'),
  }), [[], []], $('chart-tasks'));
  window.addEventListener('resize', () => {
    latencyChart.setSize(chartSize($('chart-latency')));
    tasksChart.setSize(chartSize($('chart-tasks')));
  });
}

// ---------------------------------------------------------------------------------------------------- tree

// The endpoint's text/plain answer, one task a line, four characters of indentation a level, made collapsible.
async function refreshTree() {
  const response = await request(TASKS + '?limit=1000', { headers: headers({ Accept: 'text/plain' }) });
  const lines = (await response.text()).split('\n').filter((l) => l.length);
  const root = document.createElement('ul');
  const stack = [root];
  const header = document.createElement('div');
  header.textContent = lines.shift() || '';
  for (const line of lines) {
    const m = /^((?:[│ ] {3})*)[└├]── (.*)$/.exec(line);
    if (!m) { const more = document.createElement('li'); more.textContent = line; root.append(more); continue; }
    const depth = m[1].length / 4;
    stack.length = depth + 1;
    const li = document.createElement('li');
    const idMatch = /\[id=(\d+), /.exec(m[2]);
    const label = document.createElement(idMatch ? 'a' : 'span');
    label.textContent = m[2];
    if (idMatch) label.addEventListener('click', (e) => { e.preventDefault(); openDetail(Number(idMatch[1])); });
    const details = document.createElement('details');
    details.open = true;
    const summary = document.createElement('summary');
    summary.append(label);
    details.append(summary);
    const children = document.createElement('ul');
    details.append(children);
    li.append(details);
    (stack[depth] || root).append(li);
    stack[depth + 1] = children;
  }
  // A task nobody awaits that awaits nobody stays a plain line: only nodes with children get a toggle.
  for (const d of root.querySelectorAll('details')) {
    if (!d.lastChild.children.length) d.replaceWith(d.firstChild.firstChild);
  }
  $('tree').replaceChildren(header, root);
}

// ---------------------------------------------------------------------------------------------------- sign in

function base64(text) {
  return btoa(String.fromCharCode(...new TextEncoder().encode(text)));
}

async function signIn(event) {
  event.preventDefault();
  const user = $('signin-user').value;
  state.auth = 'Basic ' + base64(user + ':' + $('signin-password').value);
  try {
    await getJson(TASKS + '?limit=0');   // bad credentials are refused on any path, even an open one
  } catch (e) {
    state.auth = null;
    showError(e.status === 401 ? 'Sign-in refused: wrong user or password.' : 'Sign-in failed: ' + e.message);
    return;
  }
  state.user = user;
  $('signin-password').value = '';
  $('signin-form').hidden = true;
  $('signed-in').hidden = false;
  $('signed-in-user').textContent = 'signed in as ' + user;
  showError(null);
  await probeCancel();
  refresh();
}

async function signOut() {
  state.auth = null;
  state.user = null;
  $('signin-form').hidden = false;
  $('signed-in').hidden = true;
  await probeCancel();
  refresh();
}

// ---------------------------------------------------------------------------------------------------- refresh

/*
 * One refresh at a time per console, none while the tab is hidden or "live" is off: the cost to the application
 * is bounded by a handful of reads per refresh interval per open console (the list is a page of at most 100).
 */
async function refresh() {
  if (state.busy) return;
  state.busy = true;
  const started = new Date();
  try {
    await refreshList();   // first: it names the loop the meters are tagged with
    await Promise.all([refreshCurrent(), refreshFinished(), refreshDetail(), refreshMetrics()]);
    showError(null);
    state.last = started;   // what is shown was read after this instant
    $('status').textContent = 'updated ' + started.toLocaleTimeString('en-GB');
  } catch (e) {
    showError(e.status === 401 || e.status === 403 ? 'Not allowed to read the tasks endpoint: ' + e.message : e.message);
  } finally {
    state.busy = false;
  }
}

function tick() {
  if (!document.hidden && $('live').checked) refresh();
}

let typing = null;
$('filter-name').addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(() => { state.name = $('filter-name').value; state.offset = 0; refresh(); }, 250);
});
$('filter-state').addEventListener('change', () => { state.filterState = $('filter-state').value; state.offset = 0; refresh(); });
$('page-prev').addEventListener('click', () => { state.offset = Math.max(0, state.offset - PAGE); refresh(); });
$('page-next').addEventListener('click', () => { state.offset += PAGE; refresh(); });
for (const th of document.querySelectorAll('th[data-sort]')) th.addEventListener('click', () => setSort(th.dataset.sort));
$('tasks-table').addEventListener('click', (e) => {
  const row = e.target.closest('tr[data-id]');
  if (row) openDetail(Number(row.dataset.id));
});
$('detail-close').addEventListener('click', () => { state.selected = null; $('detail').hidden = true; });
$('cancel-form').addEventListener('submit', cancelSelected);
$('signin-form').addEventListener('submit', signIn);
$('signout').addEventListener('click', signOut);
$('tree-section').addEventListener('toggle', () => { if ($('tree-section').open) refreshTree().catch((e) => showError(e.message)); });
$('tree-refresh').addEventListener('click', () => refreshTree().catch((e) => showError(e.message)));
document.addEventListener('visibilitychange', tick);
$('charts-note').hidden = !!METRICS;
document.querySelector('th[data-sort="id"]').className = 'asc';

probeCancel().then(refresh);
setInterval(tick, REFRESH);
