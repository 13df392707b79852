// Who the console acts as. Kept in sessionStorage: a tab forgets it when closed; a shared URL asks to sign in first.
const KEY = 'tapguard.session';

export function current() {
  try {
    const s = JSON.parse(sessionStorage.getItem(KEY) || 'null');
    if (!s) return null;
    if (s.expiresAt && Date.parse(s.expiresAt) <= Date.now()) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return s;
  } catch {
    return null;
  }
}

/** noauth: {mode:'noauth', projectId, userId, roles}; keystone: {mode:'keystone', token, projectId, userName, roles, expiresAt}. */
export function save(s) {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

export function isAdmin(s = current()) {
  return !!s && (s.roles || []).includes('admin');
}

/** Request headers that carry the identity to the API. */
export function authHeaders(s = current()) {
  if (!s) return {};
  if (s.mode === 'keystone') return { 'X-Auth-Token': s.token };
  const hdr = {};
  if (s.projectId) hdr['X-Project-Id'] = s.projectId;
  if (s.userId) hdr['X-User-Id'] = s.userId;
  if (s.roles && s.roles.length) hdr['X-Roles'] = s.roles.join(',');
  return hdr;
}
