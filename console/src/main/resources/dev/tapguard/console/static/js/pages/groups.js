// Security Groups: list (Name, ID, Description), create, edit, delete.
import { h, table, flashNext } from '../dom.js';
import { get, post, put, del } from '../api.js';
import { formDialog } from '../dialog.js';
import { isAdmin } from '../session.js';
import { go, href } from '../nav.js';

export async function render(main, ctx) {
  const data = await get('/v2.0/security-groups?sort_key=name&sort_dir=asc');
  if (ctx.stale()) return;
  const groups = data.security_groups || [];
  const admin = isAdmin();
  const filter = h('input', { type: 'search', placeholder: 'Filter by name, ID or description', 'aria-label': 'Filter security groups',
    'data-filter': true, value: ctx.query.get('filter') || '' });
  const create = h('button', { class: 'primary', type: 'button', id: 'create-group' }, '+ Create Security Group');
  const holder = h('div');
  main.append(
    h('h1', null, 'Security Groups'),
    h('div', { class: 'bar' }, h('div', { class: 'grow' }, filter), create),
    holder);

  const draw = () => {
    const f = filter.value.trim().toLowerCase();
    const shown = groups.filter(g => !f || [g.name, g.id, g.description].some(x => (x || '').toLowerCase().includes(f)));
    const headers = ['Name', 'Security Group ID', 'Description'];
    if (admin) headers.push('Project');
    headers.push('Rules', 'Actions');
    const rows = shown.map(g => {
      const cells = [
        h('a', { href: href(`/security-groups/${g.id}`), class: 'group-name' }, g.name || '(no name)'),
        { cell: g.id, class: 'mono' },
        g.description || '',
      ];
      if (admin) cells.push({ cell: g.project_id || '', class: 'mono' });
      cells.push(String((g.security_group_rules || []).length));
      cells.push({ class: 'actions', cell: [
        h('a', { class: 'button small', href: href(`/security-groups/${g.id}`) }, 'Manage Rules'), ' ',
        h('button', { type: 'button', class: 'small', onclick: () => edit(g), 'aria-label': `Edit ${g.name}` }, 'Edit'), ' ',
        h('button', { type: 'button', class: 'small danger', onclick: () => remove(g), 'aria-label': `Delete ${g.name}` }, 'Delete'),
      ] });
      return { cells, attrs: { 'data-id': g.id } };
    });
    holder.replaceChildren(table(headers, rows, { label: 'Security groups', class: 'groups',
      empty: f ? 'No security group matches the filter.' : 'No security groups.' }));
  };
  filter.addEventListener('input', draw);
  draw();

  create.addEventListener('click', async () => {
    let created = null;
    const ok = await formDialog({
      title: 'Create Security Group', submitLabel: 'Create Security Group',
      fields: [
        { name: 'name', label: 'Name', required: true, maxlength: 255 },
        { name: 'description', label: 'Description', multiline: true, maxlength: 255 },
      ],
      onSubmit: async v => {
        const res = await post('/v2.0/security-groups', { security_group: { name: v.name, description: v.description } });
        created = res.security_group;
      },
    });
    if (ok && created) {
      flashNext(`Created security group "${created.name}".`);
      go(`/security-groups/${created.id}`);
    }
  });

  async function edit(g) {
    const ok = await formDialog({
      title: `Edit Security Group`, submitLabel: 'Save',
      fields: [
        { name: 'name', label: 'Name', required: true, maxlength: 255, value: g.name },
        { name: 'description', label: 'Description', multiline: true, maxlength: 255, value: g.description || '' },
      ],
      onSubmit: v => put(`/v2.0/security-groups/${g.id}`, { security_group: { name: v.name, description: v.description } }),
    });
    if (ok) {
      flashNext('Security group updated.');
      go('/security-groups');
    }
  }

  async function remove(g) {
    const ok = await formDialog({
      title: 'Delete Security Group', submitLabel: 'Delete Security Group', danger: true,
      body: h('p', null, 'Delete security group ', h('strong', null, g.name || g.id), h('span', { class: 'mono' }, ` (${g.id})`),
        '? Its rules go with it.'),
      onSubmit: () => del(`/v2.0/security-groups/${g.id}`),
    });
    if (ok) {
      flashNext(`Deleted security group "${g.name}".`);
      go('/security-groups');
    }
  }
}
