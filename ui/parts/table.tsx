// A plain data table: named columns, one row per item, an empty message. Pages that list things
// (audit, users, tokens, deliveries, reconcile events) share it.
import type { Child } from 'hono/jsx/dom';

export interface Column<T> {
  label: string;
  cell(item: T): Child;
}

export function Table<T>(props: { caption: string; items: T[]; columns: Column<T>[]; empty?: string }) {
  if (props.items.length === 0) return <p class="muted">{props.empty ?? 'Nothing yet.'}</p>;
  return (
    <table>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th scope="col">{c.label}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.items.map((item) => (
          <tr>
            {props.columns.map((c) => (
              <td>{c.cell(item)}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
