// One installation of the GitHub App: its repositories (read on demand) and a sync that asks
// GitHub for them again.
import { useState } from 'hono/jsx/dom';
import { api, describeError, unwrap, type Schemas } from '../api.js';
import { ErrorNote } from './layout.js';
import { When } from './status.js';

export function InstallationRow(props: { installation: Schemas['Installation'] }) {
  const { installation: i } = props;
  const [repos, setRepos] = useState<Schemas['Repository'][] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const path = { params: { path: { id: i.id } } };
  const show = async () => {
    try {
      setRepos((await unwrap(api.GET('/github/installations/{id}/repositories', path))).items);
    } catch (err) {
      setError(describeError(err));
    }
  };
  const sync = async () => {
    try {
      await unwrap(api.POST('/github/installations/{id}/sync', path));
      setNote('Sync started.');
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <li class="card">
      <strong>{i.account}</strong> <span class="muted">({i.accountType}, {i.repositorySelection} repositories{i.suspended ? ', suspended' : ''})</span> · synced <When at={i.syncedAt} />{' '}
      <button type="button" class="secondary" onClick={show}>
        Repositories of {i.account}
      </button>{' '}
      <button type="button" class="secondary" onClick={sync}>
        Sync {i.account}
      </button>
      {note && <span role="status"> {note}</span>}
      <ErrorNote error={error} />
      {repos && (
        <ul>
          {repos.length === 0 && <li class="muted">None.</li>}
          {repos.map((r) => (
            <li>
              <a href={r.htmlUrl} rel="noreferrer" target="_blank">
                {r.fullName}
              </a>{' '}
              <span class="muted">
                {r.private ? 'private' : 'public'} · default branch {r.defaultBranch}
                {r.removed ? ' · removed' : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}
