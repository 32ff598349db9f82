// An environment's domains and HTTPS: every host name it answers on with the certificate Traefik
// serves for it (issued, pending, failed or none, from where, until when, the last error), adding
// a domain after its DNS check (or despite it), removing one, and uploading a certificate.
import { useEffect, useState } from 'hono/jsx/dom';
import { api, describeError, unwrap, type Schemas } from '../api.js';
import { ErrorNote } from './layout.js';
import { When } from './status.js';
import { Table } from './table.js';
import { useLoad } from './use-load.js';

type Env = Schemas['Environment'];
type Status = Schemas['DomainStatus'];

const TONE: Record<Status['state'], string> = { issued: 'ok', pending: 'busy', failed: 'bad', 'http-only': 'muted' };
const PENDING_RECHECK_MS = 3_000;
const SOURCE: Record<NonNullable<Status['source']>, string> = { acme: 'ACME', uploaded: 'uploaded', default: "Traefik's default" };

/** Days left before a certificate expires, negative once it has. */
function daysLeft(notAfter: string): number {
  return Math.floor((Date.parse(notAfter) - Date.now()) / 86_400_000);
}

function Certificate(props: { status: Status }) {
  const { certificate, source } = props.status;
  if (!certificate) return <span class="muted">{source ? SOURCE[source] : 'none'}</span>;
  const days = daysLeft(certificate.notAfter);
  return (
    <span>
      {source ? SOURCE[source] : ''} · {certificate.issuer} · expires <When at={certificate.notAfter} />{' '}
      <span class={days < 14 ? 'bad' : 'muted'}>({days < 0 ? 'expired' : `${days} days left`})</span>
    </span>
  );
}

function CertificateUpload(props: { path: { params: { path: { app: string; env: string } } }; onSaved(): void }) {
  const env = props.path.params.path.env;
  const [error, setError] = useState<string | null>(null);
  const upload = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const field = (name: string) => (form.elements.namedItem(name) as HTMLTextAreaElement).value;
    try {
      await unwrap(api.PUT('/apps/{app}/environments/{env}/certificate', { ...props.path, body: { certificate: field('certificate'), key: field('key') } }));
      setError(null);
      form.reset();
      props.onSaved();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <details>
      <summary>Upload a certificate</summary>
      <form onSubmit={upload} aria-label={`Upload a certificate for ${env}`}>
        <label>
          Certificate chain (PEM, the server's certificate first)
          <textarea name="certificate" rows={4} required />
        </label>
        <label>
          Private key (PEM; sealed, never shown again)
          <textarea name="key" rows={4} required autocomplete="off" />
        </label>
        <ErrorNote error={error} />
        <button type="submit">Upload</button>
      </form>
    </details>
  );
}

export function Domains(props: { app: string; env: Env; manage: boolean; onChanged(): void }) {
  const { app, env } = props;
  const path = { params: { path: { app, env: env.name } } };
  const statuses = useLoad(() => unwrap(api.GET('/apps/{app}/environments/{env}/domains', path)), [app, env.name, env.domains.join(','), JSON.stringify(env.https)]);
  const [error, setError] = useState<string | null>(null);
  // A certificate on its way (Traefik reloading, an ACME order) is looked at again until it settles.
  const pending = (statuses.data?.items ?? []).some((s) => s.state === 'pending');
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(statuses.reload, PENDING_RECHECK_MS);
    return () => clearTimeout(timer);
  }, [pending, statuses.data]);
  const changed = () => {
    setError(null);
    statuses.reload();
    props.onChanged();
  };
  const add = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const domain = (form.elements.namedItem('domain') as HTMLInputElement).value.trim().toLowerCase();
    const force = (form.elements.namedItem('force') as HTMLInputElement).checked;
    try {
      await unwrap(api.POST('/apps/{app}/environments/{env}/domains', { ...path, body: { domain, force } }));
      form.reset();
      changed();
    } catch (err) {
      // A 409 from the DNS check says what the name resolves to and how to add it anyway.
      setError(describeError(err));
    }
  };
  const remove = async (domain: string) => {
    if (!confirm(`Remove ${domain} from ${env.name}? It stops answering there at once.`)) return;
    try {
      await unwrap(api.DELETE('/apps/{app}/environments/{env}/domains/{domain}', { params: { path: { app, env: env.name, domain } } }));
      changed();
    } catch (err) {
      setError(describeError(err));
    }
  };
  return (
    <section aria-labelledby={`domains-${env.name}`}>
      <h3 id={`domains-${env.name}`}>Domains and HTTPS</h3>
      <ErrorNote error={statuses.error ?? error} />
      <Table
        caption={`Host names of ${env.name} and their certificates`}
        items={statuses.data?.items ?? []}
        empty="Loading…"
        columns={[
          { label: 'Host', cell: (s) => <code>{s.host}</code> },
          { label: 'HTTPS', cell: (s) => <span class={`badge ${TONE[s.state]}`}>{s.state}</span> },
          { label: 'Certificate', cell: (s) => <Certificate status={s} /> },
          { label: 'Last error', cell: (s) => (s.error ? <span class="bad">{s.error}</span> : <span class="muted">—</span>) },
          {
            label: 'Action',
            cell: (s) =>
              props.manage &&
              env.domains.includes(s.host) && (
                <button type="button" class="secondary" onClick={() => remove(s.host)}>
                  Remove {s.host}
                </button>
              ),
          },
        ]}
      />
      {props.manage && (
        <>
          <form onSubmit={add} class="inline" aria-label={`Add a domain to ${env.name}`}>
            <label>
              Domain
              <input name="domain" required placeholder="shop.example.com" />
            </label>
            <label class="check">
              <input name="force" type="checkbox" /> Add even if its DNS does not point here
            </label>
            <button type="submit">Add domain</button>
          </form>
          <CertificateUpload path={path} onSaved={changed} />
        </>
      )}
    </section>
  );
}
