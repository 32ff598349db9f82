// Which provider reads a delivery: GitHub's (no git host connection) or the connection's kind's.
import { bitbucketProvider } from './bitbucket/provider.js';
import { giteaProvider } from './gitea/provider.js';
import { githubProvider } from './github/provider.js';
import { gitlabProvider } from './gitlab/provider.js';
import type { GitHostKind, GitHostProvider } from './provider.js';

const BY_KIND: Record<GitHostKind | 'github', GitHostProvider> = {
  github: githubProvider,
  gitea: giteaProvider,
  // Forgejo is a fork of Gitea and sends the same deliveries (with X-Forgejo-* headers too).
  forgejo: giteaProvider,
  gitlab: gitlabProvider,
  bitbucket: bitbucketProvider,
};

export function providerFor(kind: GitHostKind | 'github'): GitHostProvider {
  return BY_KIND[kind];
}
