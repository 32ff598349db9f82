import Docker from 'dockerode';
import type { Config } from '../config.js';

/** Docker Engine 20.10 speaks API 1.41; pinning it keeps requests identical across engines. */
export const DOCKER_API_VERSION = 'v1.41';

export function createDockerClient(docker: Config['docker']): Docker {
  return new Docker({ socketPath: docker.socketPath, version: DOCKER_API_VERSION });
}
