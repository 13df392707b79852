// The Neutron v2.0 API of the server that serves this console (same origin), plus the console's own endpoints.
import { authHeaders } from './session.js';

export class ApiError extends Error {
  constructor(status, type, message) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

/** Calls the API; resolves to the parsed body (null for 204), rejects with ApiError carrying the API's own message. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json', ...authHeaders() };
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, 'NetworkError', `The server did not answer (${e.message}).`);
  }
  if (res.status === 204) return null;
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    if (data && data.NeutronError) throw new ApiError(res.status, data.NeutronError.type, data.NeutronError.message);
    if (data && data.error) throw new ApiError(res.status, data.error.title || null, data.error.message);
    throw new ApiError(res.status, null, text || res.statusText);
  }
  return data;
}

export const get = path => api('GET', path);
export const post = (path, body) => api('POST', path, body);
export const put = (path, body) => api('PUT', path, body);
export const del = path => api('DELETE', path);

export function q(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) v.forEach(x => u.append(k, x));
    else if (v !== undefined && v !== null && v !== '') u.append(k, v);
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

/** The server's console settings (auth mode). A server without them is taken as noauth. */
export async function consoleConfig() {
  try {
    const res = await fetch('/console/api/config', { headers: { Accept: 'application/json' } });
    if (res.ok) return await res.json();
  } catch {
    // fall through
  }
  return { auth: 'noauth' };
}
