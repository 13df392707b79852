// Tiny DOM builder: every text goes in as a text node, never as HTML, so API values cannot inject markup.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'value') el.value = v;
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** A table with a header row; rows are arrays of cells (Node, string, or {cell, class}). */
export function table(headers, rows, opts = {}) {
  const head = h('thead', null, h('tr', null, headers.map(t => h('th', { scope: 'col' }, t))));
  const body = h('tbody', null);
  if (rows.length === 0) {
    body.appendChild(h('tr', null, h('td', { colspan: headers.length, class: 'empty' }, opts.empty || 'Nothing here yet.')));
  }
  for (const r of rows) {
    const tr = h('tr', r.attrs || null);
    for (const c of r.cells || r) {
      if (c && typeof c === 'object' && !(c instanceof Node) && 'cell' in c) tr.appendChild(h('td', { class: c.class || null }, c.cell));
      else tr.appendChild(h('td', null, c));
    }
    body.appendChild(tr);
  }
  return h('table', { class: opts.class || null, 'aria-label': opts.label || null }, head, body);
}

/** An error box showing exactly what the API said (its NeutronError message), with type and status below. */
export function errorBox(err) {
  const box = h('div', { class: 'error', role: 'alert' });
  box.appendChild(h('span', { class: 'emsg' }, err && err.message ? err.message : String(err)));
  if (err && (err.type || err.status)) {
    box.appendChild(h('span', { class: 'etype' }, [err.status ? `HTTP ${err.status}` : null, err.type].filter(Boolean).join(' · ')));
  }
  return box;
}

export function flash(text) {
  const f = document.getElementById('flash');
  clear(f);
  if (text) f.appendChild(h('div', { class: 'msg' }, text));
}

export function shortId(id) {
  return id ? id.slice(0, 8) : '';
}

let pending = null;

/** A message to show on the next page (after a navigation). */
export function flashNext(text) {
  pending = text;
}

export function takePending() {
  const p = pending;
  pending = null;
  return p;
}
