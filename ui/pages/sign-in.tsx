// Signing in, and the first-run setup that makes the first administrator with the setup token
// Berth printed when it started (GET /setup says whether one is still needed).
import { useState } from 'hono/jsx/dom';
import { api, describeError, unwrap } from '../api.js';

function AuthFrame(props: { title: string; children?: unknown }) {
  document.title = `${props.title} · Berth`;
  return (
    <main id="main" class="auth">
      <h1>{props.title}</h1>
      {props.children as never}
    </main>
  );
}

const field = (form: HTMLFormElement, name: string) => (form.elements.namedItem(name) as HTMLInputElement).value;

/** After signing in the whole app starts again, as the signed-in user. */
const enter = () => location.assign(new URLSearchParams(location.search).get('next')?.startsWith('/ui/') ? (new URLSearchParams(location.search).get('next') as string) : '/ui/');

export function SignInPage() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    setBusy(true);
    try {
      await unwrap(api.POST('/auth/login', { body: { email: field(form, 'email'), password: field(form, 'password') } }));
      enter();
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };
  return (
    <AuthFrame title="Sign in">
      <form onSubmit={submit} class="stack">
        <label>
          E-mail
          <input name="email" type="email" autocomplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autocomplete="current-password" required />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
    </AuthFrame>
  );
}

export function SetupPage() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    setBusy(true);
    try {
      const body = { setupToken: field(form, 'setupToken').trim(), email: field(form, 'email'), name: field(form, 'name'), password: field(form, 'password') };
      await unwrap(api.POST('/setup', { body }));
      enter();
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };
  return (
    <AuthFrame title="Set up Berth">
      <p>
        No account exists yet. Berth printed a one-time <strong>setup token</strong> when it started (also in the <code>setup-token</code> file of its data
        directory). Use it to make the first administrator.
      </p>
      <form onSubmit={submit} class="stack">
        <label>
          Setup token
          <input name="setupToken" required autocomplete="off" placeholder="berth_setup_…" />
        </label>
        <label>
          Your name
          <input name="name" autocomplete="name" />
        </label>
        <label>
          E-mail
          <input name="email" type="email" autocomplete="username" required />
        </label>
        <label>
          Password (at least 12 characters)
          <input name="password" type="password" autocomplete="new-password" minlength={12} required />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          Create the administrator
        </button>
      </form>
    </AuthFrame>
  );
}
