// Modal forms on the native <dialog>: focus moves in, Esc closes, the API's error stays inside the dialog.
import { h, errorBox } from './dom.js';

/**
 * fields: [{name, label, value, required, maxlength, multiline, hint}]; onSubmit(values) -> Promise.
 * Resolves true when submitted successfully, false when cancelled.
 */
export function formDialog({ title, fields = [], submitLabel = 'Save', danger = false, body = null, onSubmit }) {
  return new Promise(resolve => {
    const errors = h('div', { 'aria-live': 'assertive' });
    const inputs = fields.map(f => {
      const attrs = { id: `dlg-${f.name}`, name: f.name, required: f.required || null, maxlength: f.maxlength || null,
        autocomplete: 'off' };
      const input = f.multiline ? h('textarea', { ...attrs, rows: 3 }) : h('input', attrs);
      input.value = f.value ?? '';
      return [h('label', { for: attrs.id }, f.label), input, f.hint ? h('p', { class: 'hint' }, f.hint) : null];
    });
    const submit = h('button', { type: 'submit', class: danger ? 'danger primary' : 'primary' }, submitLabel);
    const cancel = h('button', { type: 'button' }, 'Cancel');
    const form = h('form', { method: 'dialog' }, h('h2', null, title), body, inputs, errors,
      h('div', { class: 'form-actions' }, submit, cancel));
    const dlg = h('dialog', { 'aria-label': title }, form);
    let done = false;
    const finish = ok => {
      if (done) return;
      done = true;
      dlg.close();
      dlg.remove();
      resolve(ok);
    };
    cancel.addEventListener('click', () => finish(false));
    dlg.addEventListener('cancel', e => { e.preventDefault(); finish(false); });
    form.addEventListener('submit', async e => {
      e.preventDefault();
      errors.replaceChildren();
      submit.disabled = true;
      const values = Object.fromEntries(fields.map(f => [f.name, form.elements[f.name].value]));
      try {
        await onSubmit(values);
        finish(true);
      } catch (err) {
        errors.appendChild(errorBox(err));
        submit.disabled = false;
      }
    });
    document.body.appendChild(dlg);
    dlg.showModal();
    const first = form.querySelector('input, textarea') || submit;
    first.focus();
  });
}
