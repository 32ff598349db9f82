// The web UI's entry: find out who is signed in (or whether Berth still needs its first
// administrator), then draw the page the path names. Every page is reachable by its URL.
import { render, useEffect, useState } from 'hono/jsx/dom';
import type { Child } from 'hono/jsx/dom';
import './styles.css';
import { api, type Schemas } from './api.js';
import { prefetchOverview } from './parts/prefetch.js';
import { MeContext } from './parts/session.js';
import { matchPath, navigate, useLocation } from './router.js';
import { AppPage } from './pages/app.js';
import { AuditPage } from './pages/audit.js';
import { CleanupPage } from './pages/cleanup.js';
import { DeploymentPage } from './pages/deployment.js';
import { GitHubPage } from './pages/github.js';
import { NotFoundPage } from './pages/not-found.js';
import { NotificationsPage } from './pages/notifications.js';
import { OverviewPage } from './pages/overview.js';
import { ReconcilePage } from './pages/reconcile.js';
import { RulesPage } from './pages/rules.js';
import { SetupPage, SignInPage } from './pages/sign-in.js';
import { StackPage } from './pages/stack.js';
import { TokensPage } from './pages/tokens.js';
import { UsersPage } from './pages/users.js';
import { VariablesPage } from './pages/variables.js';

type Page = (params: Record<string, string>) => Child;

const ROUTES: [string, Page][] = [
  ['/', () => <OverviewPage />],
  ['/apps/:app', (p) => <AppPage app={p.app as string} />],
  ['/apps/:app/rules', (p) => <RulesPage app={p.app as string} />],
  ['/apps/:app/stack', (p) => <StackPage app={p.app as string} />],
  ['/apps/:app/environments/:env/variables', (p) => <VariablesPage app={p.app as string} env={p.env as string} />],
  ['/deployments/:id', (p) => <DeploymentPage id={p.id as string} />],
  ['/reconcile', () => <ReconcilePage />],
  ['/cleanup', () => <CleanupPage />],
  ['/audit', () => <AuditPage />],
  ['/users', () => <UsersPage />],
  ['/tokens', () => <TokensPage />],
  ['/notifications', () => <NotificationsPage />],
  ['/github', () => <GitHubPage />],
];

function SignedIn(props: { me: Schemas['WhoAmI'] }) {
  const { path } = useLocation();
  for (const [pattern, page] of ROUTES) {
    const params = matchPath(pattern, path);
    // Keyed by the path: another page (or the same page for another app) starts afresh.
    if (params)
      return (
        <MeContext.Provider value={props.me}>
          <div key={path}>{page(params)}</div>
        </MeContext.Provider>
      );
  }
  return (
    <MeContext.Provider value={props.me}>
      <NotFoundPage />
    </MeContext.Provider>
  );
}

function Root() {
  const [state, setState] = useState<{ me: Schemas['WhoAmI'] | null; setup: boolean } | null>(null);
  const { path } = useLocation();
  useEffect(() => {
    void (async () => {
      const who = await api.GET('/auth/whoami');
      if (who.data) return setState({ me: who.data, setup: false });
      const setup = await api.GET('/setup');
      setState({ me: null, setup: setup.data?.needed ?? false });
    })();
  }, []);
  if (!state) return null;
  if (state.me) {
    if (path === '/sign-in' || path === '/setup') navigate('/', { replace: true });
    return <SignedIn me={state.me} />;
  }
  const wanted = state.setup ? '/setup' : '/sign-in';
  if (path !== wanted) {
    const next = path === '/' || path === '/sign-in' || path === '/setup' ? '' : `?next=${encodeURIComponent(location.pathname)}`;
    history.replaceState(null, '', `/ui${wanted}${next}`);
  }
  return state.setup ? <SetupPage /> : <SignInPage />;
}

if (location.pathname === '/ui/' || location.pathname === '/ui') prefetchOverview();
render(<Root />, document.getElementById('root') as HTMLElement);
