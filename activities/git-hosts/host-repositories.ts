// The activity behind GET /api/v1/git-hosts/{id}/repositories: the host's own listing, read
// with the connection's sealed credentials.
import type { HostRepository } from '../../src/domain/host-repositories.js';
import type { GiteaApi } from './gitea/gitea-api.js';

export function createHostRepositories(api: Pick<GiteaApi, 'listRepositories'>) {
  return {
    async listHostRepositories(input: { gitHostId: string }): Promise<HostRepository[]> {
      return api.listRepositories(input.gitHostId);
    },
  };
}
