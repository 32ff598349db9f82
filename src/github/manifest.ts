// The GitHub App manifest Berth hands to GitHub's "create app from manifest" page: the
// webhook, the callbacks and the least permissions Berth needs (read code and pull requests,
// write commit statuses and deployments).

export interface ManifestUrls {
  /** Berth's public base URL, e.g. https://berth.example.com */
  publicUrl: string;
  /** Where GitHub reaches the webhook and redirects (the webhook-only listener's public URL); default publicUrl. */
  webhookUrl?: string;
}

export const MANIFEST_CALLBACK_PATH = '/github/app/callback';
export const INSTALL_CALLBACK_PATH = '/github/installations/callback';
export const WEBHOOK_PATH = '/webhooks/github';

export function buildManifest(name: string, { publicUrl, webhookUrl = publicUrl }: ManifestUrls) {
  return {
    name,
    url: publicUrl,
    hook_attributes: { url: `${webhookUrl}${WEBHOOK_PATH}`, active: true },
    redirect_url: `${webhookUrl}${MANIFEST_CALLBACK_PATH}`,
    setup_url: `${webhookUrl}${INSTALL_CALLBACK_PATH}`,
    setup_on_update: true,
    public: false,
    default_permissions: {
      contents: 'read',
      metadata: 'read',
      pull_requests: 'read',
      statuses: 'write',
      deployments: 'write',
    },
    default_events: ['push', 'pull_request'],
  };
}

/** What GitHub answers to POST /app-manifests/{code}/conversions (the fields Berth keeps). */
export interface ManifestConversion {
  id: number;
  slug: string;
  name: string;
  html_url: string;
  client_id: string;
  client_secret: string;
  webhook_secret: string;
  pem: string;
}
