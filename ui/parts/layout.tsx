// The frame of every signed-in page: a skip link, the navigation, who is signed in and the
// sign-out button, then the page's own <main> with its heading.
import type { Child } from 'hono/jsx/dom';
import { api } from '../api.js';
import { Link, navigate, useLocation } from '../router.js';
import { useMe } from './session.js';

const NAV: { to: string; label: string; admin?: boolean }[] = [
  { to: '/', label: 'Overview' },
  { to: '/reconcile', label: 'Reconcile' },
  { to: '/tokens', label: 'Tokens' },
  { to: '/notifications', label: 'Notifications' },
  { to: '/audit', label: 'Audit log', admin: true },
  { to: '/users', label: 'Users', admin: true },
  { to: '/github', label: 'GitHub', admin: true },
  { to: '/cleanup', label: 'Cleanup', admin: true },
];

export function Layout(props: { title: string; children?: Child }) {
  const me = useMe();
  const { path } = useLocation();
  document.title = `${props.title} · Berth`;
  const signOut = async () => {
    await api.POST('/auth/logout');
    navigate('/sign-in', { replace: true });
    location.reload();
  };
  // One element, not a fragment: the renderer replaces it whole when the page changes.
  return (
    <div class="page">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link to="/" class="brand">
          Berth
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !n.admin || me.user.isAdmin).map((n) => (
              <li>
                <Link to={n.to} aria-current={path === n.to ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span>{me.user.email}</span>
          <button type="button" class="link" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabindex={-1}>
        <h1>{props.title}</h1>
        {props.children}
      </main>
    </div>
  );
}

/** An error the API gave, said where the reader looks (role=alert reads it out). */
export function ErrorNote(props: { error: string | null }) {
  if (!props.error) return null;
  return (
    <p class="error" role="alert">
      {props.error}
    </p>
  );
}

export function Loading() {
  return (
    <p class="muted" aria-live="polite">
      Loading…
    </p>
  );
}
