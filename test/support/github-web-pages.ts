// The two pages of github.com a person passes through when Berth's GitHub App is made, as the
// GitHub stand-in serves them: "create this app" (the manifest Berth's form posted, shown with a
// button) and "install this app" (on an account, with a button). Each button is a link to the
// URL the manifest named, with what GitHub adds: a one-time code and the state, or the
// installation id and the state. Pages, not redirects: a browser holds a form post's redirects
// to the posting page's form-action, and GitHub itself answers with a page.
import type { IncomingMessage, ServerResponse } from 'node:http';

interface Manifest {
  name?: string;
  redirect_url?: string;
  setup_url?: string;
  hook_attributes?: { url?: string };
}

export interface WebPagesContext {
  issueCode(): string;
  /** The account the app is installed on, and the installation id GitHub gives. */
  installation(): { id: number; account: string } | undefined;
  /** Manifests posted, newest last: what Berth asked GitHub to make. */
  manifests: Manifest[];
}

const escape = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(res: ServerResponse, title: string, body: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="en"><meta charset="utf-8"><title>${escape(title)}</title><main><h1>${escape(title)}</h1>${body}</main></html>`);
}

/** Answers /web/… pages; false when the path is not one of them. */
export function serveWebPage(req: IncomingMessage, res: ServerResponse, rawBody: string, url: URL, ctx: WebPagesContext): boolean {
  const path = url.pathname;
  if (req.method === 'POST' && /^\/web(\/organizations\/[^/]+)?\/settings\/apps\/new$/.test(path)) {
    const manifest = JSON.parse(new URLSearchParams(rawBody).get('manifest') ?? '{}') as Manifest;
    ctx.manifests.push(manifest);
    const state = url.searchParams.get('state') ?? '';
    if (!manifest.redirect_url) {
      res.writeHead(422).end('the manifest has no redirect_url');
      return true;
    }
    const next = `${manifest.redirect_url}?code=${ctx.issueCode()}&state=${encodeURIComponent(state)}`;
    page(res, `Create GitHub App ${manifest.name ?? ''}`, `<p>Webhook: <code>${escape(manifest.hook_attributes?.url ?? '')}</code></p><a href="${escape(next)}">Create GitHub App</a>`);
    return true;
  }
  const install = /^\/web\/apps\/([^/]+)\/installations\/new$/.exec(path);
  if (req.method === 'GET' && install) {
    const target = ctx.installation();
    const setup = ctx.manifests.at(-1)?.setup_url;
    if (!target || !setup) {
      res.writeHead(404).end('no account to install on, or no setup URL');
      return true;
    }
    const next = `${setup}?installation_id=${target.id}&setup_action=install&state=${encodeURIComponent(url.searchParams.get('state') ?? '')}`;
    page(res, `Install ${install[1]}`, `<a href="${escape(next)}">Install on ${escape(target.account)}</a>`);
    return true;
  }
  return false;
}
