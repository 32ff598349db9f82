// One GiteaApi-shaped client per kind of git host connection, chosen by the connection's kind.
import type { Db } from '../../db/client.js';
import type { GitHostKind } from '../../src/git-hosts/provider.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { createBitbucketApi } from './bitbucket/bitbucket-api.js';
import { createGiteaApi, type GiteaApi } from './gitea/gitea-api.js';
import { createGitLabApi } from './gitlab/gitlab-api.js';

export function createHostApis(deps: { db: Db; box: SecretBox }): GiteaApi {
  const gitea = createGiteaApi(deps);
  const byKind: Record<GitHostKind, GiteaApi> = { gitea, forgejo: gitea, gitlab: createGitLabApi(deps), bitbucket: createBitbucketApi(deps) };
  const of = async (hostId: string) => byKind[(await gitea.host(hostId)).kind];
  return {
    host: gitea.host,
    setCommitStatus: async (hostId, ...rest) => (await of(hostId)).setCommitStatus(hostId, ...rest),
    getCommit: async (hostId, ...rest) => (await of(hostId)).getCommit(hostId, ...rest),
    cloneTarget: async (hostId, ...rest) => (await of(hostId)).cloneTarget(hostId, ...rest),
    listRepositories: async (hostId) => (await of(hostId)).listRepositories(hostId),
    reportDeployment: async (hostId, ...rest) => (await of(hostId)).reportDeployment?.(hostId, ...rest),
    stopEnvironment: async (hostId, ...rest) => (await of(hostId)).stopEnvironment?.(hostId, ...rest),
  };
}
