// A project's members and their roles (owner, admin, deployer, viewer): add or change, remove.
import { useState } from 'hono/jsx/dom';
import { api, describeError, unwrap, type Schemas } from '../api.js';
import { ErrorNote } from './layout.js';
import { Table } from './table.js';
import { useLoad } from './use-load.js';

type Role = Schemas['MemberInput']['role'];

export function Members(props: { project: string }) {
  const path = { params: { path: { project: props.project } } };
  const list = useLoad(() => unwrap(api.GET('/projects/{project}/members', path)), [props.project]);
  const [error, setError] = useState<string | null>(null);
  const reload = async () => list.reload();
  const add = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const v = (n: string) => (form.elements.namedItem(n) as HTMLInputElement).value;
    try {
      await unwrap(api.POST('/projects/{project}/members', { ...path, body: { email: v('email'), role: v('role') as Role } }));
      form.reset();
      setError(null);
      await reload();
    } catch (err) {
      setError(describeError(err));
    }
  };
  const remove = async (userId: string) => {
    try {
      await unwrap(api.DELETE('/projects/{project}/members/{userId}', { params: { path: { project: props.project, userId } } }));
      await reload();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <section class="card" aria-label={`Members of ${props.project}`}>
      <h3>{props.project}</h3>
      <ErrorNote error={list.error ?? error} />
      <Table
        caption={`Members of ${props.project}`}
        items={list.data?.items ?? []}
        columns={[
          { label: 'Member', cell: (m) => m.email },
          { label: 'Role', cell: (m) => m.role },
          {
            label: 'Action',
            cell: (m) => (
              <button type="button" class="secondary" onClick={() => remove(m.userId)}>
                Remove {m.email}
              </button>
            ),
          },
        ]}
      />
      <form onSubmit={add} class="inline" aria-label={`Add a member to ${props.project}`}>
        <label>
          E-mail
          <input name="email" type="email" required />
        </label>
        <label>
          Role
          <select name="role">
            <option value="viewer">viewer</option>
            <option value="deployer">deployer</option>
            <option value="admin">admin</option>
            <option value="owner">owner</option>
          </select>
        </label>
        <button type="submit">Add or change role</button>
      </form>
    </section>
  );
}
