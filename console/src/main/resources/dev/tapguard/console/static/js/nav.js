// Navigation through the URL hash, so every page and every trace has a URL that can be shared.
let rerender = () => {};

export function onSameRoute(fn) {
  rerender = fn;
}

/** '#/ports/x?a=1' -> {path: '/ports/x', query: URLSearchParams}. */
export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#/, '') || '/';
  const i = raw.indexOf('?');
  const path = decodeURI(i < 0 ? raw : raw.slice(0, i));
  return { path, query: new URLSearchParams(i < 0 ? '' : raw.slice(i + 1)) };
}

export function href(path, query) {
  const qs = query ? new URLSearchParams(query).toString() : '';
  return `#${path}${qs ? `?${qs}` : ''}`;
}

export function go(path, query) {
  const target = href(path, query);
  if (location.hash === target) rerender();
  else location.hash = target;
}
