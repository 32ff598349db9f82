// One GiteaApi-shaped client per kind of git host connection, chosen by the connection's kind.
import type { Db } from '../../db/client.js';
import type { SecretBox } from '../../src/secrets/secret-box.js';
import { createGiteaApi, type GiteaApi } from './gitea/gitea-api.js';
import { createGitLabApi } from './gitlab/gitlab-api.js';

export function createHostApis(deps: { db: Db; box: SecretBox }): GiteaApi {
  const gitea = createGiteaApi(deps);
  const gitlab = createGitLabApi(deps);
  const of = async (hostId: string) => ((await gitea.host(hostId)).kind === 'gitlab' ? gitlab : gitea);
  return {
    host: gitea.host,
    setCommitStatus: async (hostId, ...rest) => (await of(hostId)).setCommitStatus(hostId, ...rest),
    getCommit: async (hostId, ...rest) => (await of(hostId)).getCommit(hostId, ...rest),
    cloneTarget: async (hostId, ...rest) => (await of(hostId)).cloneTarget(hostId, ...rest),
  };
}
