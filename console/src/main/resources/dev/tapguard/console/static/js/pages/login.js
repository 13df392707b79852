// Sign-in: Keystone user and password through the server's Keystone, or (noauth servers) a project id and roles.
import { h, errorBox } from '../dom.js';
import * as session from '../session.js';
import { ApiError } from '../api.js';
import { go } from '../nav.js';

export async function render(main, ctx) {
  const next = ctx.query.get('next') || '/security-groups';
  const keystone = ctx.app.config.auth === 'keystone';
  const errors = h('div', { 'aria-live': 'assertive' });
  const form = keystone ? keystoneForm(errors, next) : noauthForm(errors, next);
  main.appendChild(h('div', { class: 'login card' },
    h('h1', null, 'Sign in'),
    ctx.query.get('expired') ? h('p', { class: 'error' }, 'Your session ended; sign in again.') : null,
    form, errors));
  const first = form.querySelector('input');
  if (first) {
    ctx.keepFocus = true;
    first.focus();
  }
}

function noauthForm(errors, next) {
  const roles = ['admin', 'member', 'reader'];
  const form = h('form', { 'aria-label': 'Sign in without Keystone' },
    h('p', { class: 'hint' }, 'This server runs without Keystone (noauth): it trusts the project and roles you give.'),
    h('label', { for: 'projectId' }, 'Project ID'),
    h('input', { id: 'projectId', name: 'projectId', required: true, autocomplete: 'off', spellcheck: 'false' }),
    h('label', { for: 'userId' }, 'User ID ', h('span', { class: 'hint' }, '(optional)')),
    h('input', { id: 'userId', name: 'userId', autocomplete: 'off', spellcheck: 'false' }),
    h('fieldset', { class: 'roles' }, h('legend', null, 'Roles'),
      roles.map(r => h('label', { class: 'nowrap', style: 'display:inline-block;margin-right:1.2em;font-weight:400' },
        h('input', { type: 'checkbox', name: 'role', value: r, id: `role-${r}`, checked: r !== 'admin' }), ` ${r}`))),
    h('div', { class: 'form-actions' }, h('button', { class: 'primary', type: 'submit' }, 'Sign in')));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const projectId = form.projectId.value.trim();
    if (!projectId) return;
    const chosen = [...form.querySelectorAll('input[name=role]:checked')].map(x => x.value);
    session.save({ mode: 'noauth', projectId, userId: form.userId.value.trim() || null, roles: chosen });
    go(next);
  });
  return form;
}

function keystoneForm(errors, next) {
  const form = h('form', { 'aria-label': 'Sign in with Keystone' },
    h('label', { for: 'username' }, 'User name'),
    h('input', { id: 'username', name: 'username', required: true, autocomplete: 'username' }),
    h('label', { for: 'password' }, 'Password'),
    h('input', { id: 'password', name: 'password', type: 'password', required: true, autocomplete: 'current-password' }),
    h('label', { for: 'project' }, 'Project'),
    h('input', { id: 'project', name: 'project', required: true }),
    h('label', { for: 'domain' }, 'Domain'),
    h('input', { id: 'domain', name: 'domain', value: 'Default' }),
    h('div', { class: 'form-actions' }, h('button', { class: 'primary', type: 'submit' }, 'Sign in')));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    errors.replaceChildren();
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const res = await fetch('/console/api/tokens', {
        method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ username: form.username.value, password: form.password.value,
          project: form.project.value, domain: form.domain.value || 'Default' }),
      });
      const data = await res.json().catch(() => null);
      if (!res.ok) {
        const ne = data && (data.NeutronError || data.error);
        throw new ApiError(res.status, ne && (ne.type || ne.title), (ne && ne.message) || res.statusText);
      }
      session.save({ mode: 'keystone', token: data.token, projectId: data.project_id, projectName: data.project_name,
        userId: data.user_id, userName: data.user_name, roles: data.roles || [], expiresAt: data.expires_at });
      go(next);
    } catch (err) {
      errors.appendChild(errorBox(err));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
