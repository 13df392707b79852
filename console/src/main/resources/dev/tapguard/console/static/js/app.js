// Console entry: hash routes (shareable URLs), the header, keyboard shortcuts.
import { h, clear, flash, takePending } from './dom.js';
import * as session from './session.js';
import { consoleConfig } from './api.js';
import { go, parseHash, onSameRoute } from './nav.js';
import * as login from './pages/login.js';
import * as groups from './pages/groups.js';
import * as rules from './pages/rules.js';
import * as ports from './pages/ports.js';
import * as port from './pages/port.js';

const ROUTES = [
  { re: /^\/login$/, page: login, nav: null, open: true },
  { re: /^\/security-groups$/, page: groups, nav: 'security-groups' },
  { re: /^\/security-groups\/([^/]+)$/, page: rules, nav: 'security-groups' },
  { re: /^\/ports$/, page: ports, nav: 'ports' },
  { re: /^\/ports\/([^/]+)$/, page: port, nav: 'ports' },
];

export const app = { config: { auth: 'noauth' }, renderId: 0 };

function renderWho() {
  const who = clear(document.getElementById('who'));
  const s = session.current();
  if (!s) return;
  const name = s.mode === 'keystone' ? `${s.userName || s.userId} @ ${s.projectName || s.projectId}` :
    `project ${s.projectId || '(none)'}`;
  who.appendChild(h('span', { class: 'ident', title: `roles: ${(s.roles || []).join(', ')}` }, name,
    h('span', { class: 'muted' }, ` · ${(s.roles || []).join(', ')}`)));
  who.appendChild(h('button', { type: 'button', class: 'small', onclick: () => { session.signOut(); go('/login'); } }, 'Sign out'));
}

async function route() {
  const id = ++app.renderId;
  const pendingMsg = takePending();
  if (pendingMsg) flash(pendingMsg);
  const { path, query } = parseHash();
  if (path === '/' || path === '') {
    go(session.current() ? '/security-groups' : '/login');
    return;
  }
  const match = ROUTES.map(r => ({ r, m: path.match(r.re) })).find(x => x.m);
  const main = document.getElementById('main');
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (match && a.dataset.nav === match.r.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (!match) {
    clear(main).appendChild(h('div', null, h('h1', null, 'Not found'), h('p', null, 'No page at ', h('code', null, path), '. ',
      h('a', { href: '#/security-groups' }, 'Security groups'))));
    return;
  }
  if (!match.r.open && !session.current()) {
    go('/login', { next: location.hash.replace(/^#/, '') });
    return;
  }
  renderWho();
  const ctx = {
    app, query, params: match.m.slice(1).map(decodeURIComponent),
    stale: () => id !== app.renderId,
  };
  clear(main);
  try {
    await match.r.page.render(main, ctx);
  } catch (e) {
    if (ctx.stale()) return;
    if (e && e.status === 401) {
      session.signOut();
      go('/login', { next: location.hash.replace(/^#/, ''), expired: '1' });
      return;
    }
    console.error(e);
    main.appendChild(h('div', { class: 'error', role: 'alert' }, e.message || String(e)));
  }
  if (ctx.stale()) return;
  const title = main.querySelector('h1');
  document.title = title ? `${title.textContent} · Tapguard` : 'Tapguard console';
  if (!ctx.keepFocus) main.focus({ preventScroll: false });
}

// g s / g p jump; "/" focuses the page's filter; "?" shows the keys.
let pendingG = 0;
function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName))) return;
  if (e.key === 'g') { pendingG = Date.now(); return; }
  if (pendingG && Date.now() - pendingG < 1500) {
    pendingG = 0;
    if (e.key === 's') { e.preventDefault(); go('/security-groups'); return; }
    if (e.key === 'p') { e.preventDefault(); go('/ports'); return; }
  }
  if (e.key === '/') {
    const f = document.querySelector('[data-filter]');
    if (f) { e.preventDefault(); f.focus(); }
  } else if (e.key === '?') {
    flash('Keys: g s security groups · g p ports · / filter · Enter opens a focused link · Esc closes a dialog.');
  }
}

async function start() {
  app.config = await consoleConfig();
  onSameRoute(route);
  window.addEventListener('hashchange', () => { flash(''); route(); });
  document.addEventListener('keydown', onKey);
  await route();
}

start();
