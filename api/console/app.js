// The web console: a read-mostly view of the REST API (same origin, same bearer token). No framework and no
// build step; it only calls /v1 and renders text nodes (never HTML from responses).
/* global document, sessionStorage, fetch, Node, setInterval, clearInterval */
'use strict';

const state = { token: sessionStorage.getItem('two-way-sms-token') || '', selected: null, timer: null };
const $ = (id) => document.getElementById(id);

async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { authorization: `Bearer ${state.token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) } });
  const body = res.status === 204 ? null : await res.json().catch(() => null);
  if (res.status === 401) { logout('the token was refused'); throw new Error('unauthenticated'); }
  if (!res.ok) throw new Error(body && body.detail ? body.detail : `HTTP ${res.status}`);
  return body;
}

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props);
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return e;
}

function duration(a, b) {
  if (!a) return '';
  const ms = (b ? Date.parse(b) : Date.now()) - Date.parse(a);
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function errorText(e) { return e ? `${e.name}: ${e.message}` : ''; }

async function refreshList() {
  const status = $('status-filter').value;
  const out = await api(`/v1/provisionings?limit=50${status ? `&status=${status}` : ''}`);
  const rows = $('rows');
  rows.replaceChildren(...out.items.map((p) => {
    const tr = el('tr', { title: 'show steps and audit trail' },
      el('td', {}, el('code', {}, p.id)), el('td', {}, p.operation || 'provision'), el('td', {}, p.phoneNumberId || p.poolId || ''),
      el('td', { className: `status ${p.status}` }, p.status), el('td', {}, new Date(p.startedAt).toLocaleString()),
      el('td', {}, duration(p.startedAt, p.endedAt)), el('td', { className: 'error' }, errorText(p.error)));
    tr.dataset.id = p.id;
    tr.addEventListener('click', () => select(p.id));
    return tr;
  }));
}

async function refreshDetail() {
  if (!state.selected) return;
  const [p, audit] = await Promise.all([api(`/v1/provisionings/${state.selected}`), api(`/v1/provisionings/${state.selected}/audit`)]);
  $('detail').hidden = false;
  $('detail-title').replaceChildren(el('span', {}, `${p.operation || 'provision'} ${p.id} `), el('span', { className: `status ${p.status}` }, p.status));
  const dest = p.destination ? JSON.stringify(p.destination) : '';
  $('detail-summary').textContent = `${p.phoneNumberId || p.poolId || ''} · requested by ${p.requestedBy} · ${duration(p.startedAt, p.endedAt)} · ${dest}`;
  $('detail-error').textContent = errorText(p.error);
  $('redrive').hidden = p.status !== 'ROLLBACK_FAILED';
  $('steps').replaceChildren(...p.steps.map((s) => el('li', { className: s.status },
    `${s.name} — ${s.status}${s.retries ? ` (${s.retries} retries)` : ''} ${duration(s.enteredAt, s.exitedAt)}`,
    s.error ? el('div', { className: 'error' }, `${s.error.name || s.error.error || ''}: ${s.error.message || s.error.cause || ''}`) : '')));
  const resources = p.resources || [];
  $('resources').replaceChildren(...(resources.length === 0 ? [el('li', { className: 'muted' }, 'none recorded')] : resources.map((r) => el('li', { className: r.retained ? 'retained' : '' },
    `${r.kind} ${r.status}${resourceName(r) ? ` ${resourceName(r)}` : ''}`,
    r.kept ? el('div', { className: 'muted' }, r.kept) : ''))));
  const items = audit.items || audit;
  // Notes record decisions, not calls: a trail of notes alone still means nothing was changed.
  const unchanged = items.every((a) => a.phase === 'note') ? [el('li', { className: 'muted' }, 'no AWS change was made')] : [];
  $('audit').replaceChildren(...unchanged, ...items.map((a) => el('li', {},
    el('span', { className: 'muted' }, `${new Date(a.at).toLocaleTimeString()} `),
    `${a.phase} ${a.action}${a.resourceArn ? ` ${a.resourceArn}` : ''}`,
    a.note ? el('div', { className: 'note' }, a.note) : '',
    a.outcome ? el('span', { className: a.outcome === 'succeeded' ? 'succeeded' : 'failed' }, ` ${a.outcome}`) : '',
    a.error ? el('span', { className: 'error' }, ` ${a.error.name}: ${a.error.message}`) : '')));
}

/** The ARN a ledger entry is about, whatever its kind. */
function resourceName(r) {
  return r.roleArn || r.topicArn || r.keyArn || r.arn || r.connectPhoneNumberArn || '';
}

async function select(id) {
  state.selected = id;
  await refreshDetail().catch(showError);
}

function showError(e) { if (e.message !== 'unauthenticated') $('detail-error').textContent = e.message; }

async function tick() {
  await refreshList().catch(showError);
  await refreshDetail().catch(showError);
}

function start() {
  $('login').hidden = true;
  $('main').hidden = false;
  $('who').textContent = 'signed in with an API token';
  void tick();
  state.timer = setInterval(tick, 2000);
}

function logout(reason) {
  clearInterval(state.timer);
  sessionStorage.removeItem('two-way-sms-token');
  state.token = '';
  $('main').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = reason || '';
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    state.token = $('token').value.trim();
    sessionStorage.setItem('two-way-sms-token', state.token);
    start();
  });
  $('status-filter').addEventListener('change', () => void refreshList().catch(showError));
  $('redrive').addEventListener('click', async () => {
    await api(`/v1/provisionings/${state.selected}/redrive`, { method: 'POST' }).catch(showError);
    await tick();
  });
  if (state.token) start(); else logout();
});
