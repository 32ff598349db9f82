// Users (instance administrators): list, add, disable; project roles are on each project's members.
import { useState } from 'hono/jsx/dom';
import { api, describeError, unwrap } from '../api.js';
import { ErrorNote, Layout } from '../parts/layout.js';
import { useLoad } from '../parts/use-load.js';
import { Table } from '../parts/table.js';
import { When } from '../parts/status.js';
import { Members } from '../parts/members.js';

export function UsersPage() {
  const users = useLoad(() => unwrap(api.GET('/users')), []);
  const projects = useLoad(() => unwrap(api.GET('/projects')), []);
  const [error, setError] = useState<string | null>(null);
  const add = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const v = (n: string) => (form.elements.namedItem(n) as HTMLInputElement).value;
    try {
      await unwrap(api.POST('/users', { body: { email: v('email'), name: v('name'), password: v('password'), isAdmin: (form.elements.namedItem('isAdmin') as HTMLInputElement).checked } }));
      form.reset();
      setError(null);
      users.reload();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const toggle = async (id: string, disabled: boolean) => {
    try {
      await unwrap(api.PATCH('/users/{id}', { params: { path: { id } }, body: { disabled } }));
      users.reload();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <Layout title="Users">
      <ErrorNote error={users.error ?? error} />
      <Table
        caption="Accounts"
        items={users.data?.items ?? []}
        columns={[
          { label: 'E-mail', cell: (u) => u.email },
          { label: 'Name', cell: (u) => u.name },
          { label: 'Administrator', cell: (u) => (u.isAdmin ? 'yes' : 'no') },
          { label: 'Since', cell: (u) => <When at={u.createdAt} /> },
          {
            label: 'State',
            cell: (u) => (
              <button type="button" class="secondary" onClick={() => toggle(u.id, !u.disabled)}>
                {u.disabled ? `Enable ${u.email}` : `Disable ${u.email}`}
              </button>
            ),
          },
        ]}
      />
      <form onSubmit={add} class="grid card" aria-label="Add a user">
        <label>
          E-mail
          <input name="email" type="email" required />
        </label>
        <label>
          Name
          <input name="name" />
        </label>
        <label>
          Password (12+ characters)
          <input name="password" type="password" minlength={12} required autocomplete="new-password" />
        </label>
        <label class="check">
          <input name="isAdmin" type="checkbox" /> Instance administrator
        </label>
        <button type="submit">Add user</button>
      </form>
      <h2>Project roles</h2>
      {(projects.data?.items ?? []).map((p) => (
        <Members project={p.name} />
      ))}
    </Layout>
  );
}
