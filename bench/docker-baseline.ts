// The floor Berth is measured against: the Docker engine itself running the same image and
// answering its first HTTP 200 (create, start, poll the published port), with no platform.
import type Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { probeHttp } from '../src/http-probe.js';

/** Same poll interval as the Berth side's wait (bench/berth-client.ts until). */
export const POLL_MS = 10;

export interface BaselineRun {
  ms: number;
  containerId: string;
}

/** `docker run -d -p 127.0.0.1::8080 image` until GET / answers 200. */
export async function rawRunUntil200(docker: Docker, image: string, label: string, everyMs = POLL_MS): Promise<BaselineRun> {
  const started = performance.now();
  const container = await docker.createContainer({
    Image: image,
    Labels: { 'berth-bench': label },
    ExposedPorts: { '8080/tcp': {} },
    HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, Init: true },
  });
  await startUntil200(container, everyMs);
  return { ms: performance.now() - started, containerId: container.id };
}

/** A stopped container (made, run once until it answered, stopped) for rawStartUntil200. */
export async function stoppedBaselineContainer(docker: Docker, image: string, label: string): Promise<string> {
  const { containerId } = await rawRunUntil200(docker, image, label);
  await docker.getContainer(containerId).stop({ t: 0 });
  return containerId;
}

/** `docker start` of a stopped container until GET / answers 200; stops it again, untimed. */
export async function rawStartUntil200(docker: Docker, containerId: string, everyMs = POLL_MS): Promise<number> {
  const container = docker.getContainer(containerId);
  const started = performance.now();
  await startUntil200(container, everyMs);
  const ms = performance.now() - started;
  await container.stop({ t: 0 });
  return ms;
}

/** Starts the container and polls its published port 8080 until GET / answers 200. */
async function startUntil200(container: Docker.Container, everyMs: number): Promise<void> {
  await container.start();
  const info = await container.inspect();
  const port = info.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort;
  for (;;) {
    const res = await probeHttp(`http://127.0.0.1:${port}/`, { timeoutMs: 1000, expectedStatus: 200 });
    if (res.ok) return;
    await sleep(everyMs);
  }
}

export async function removeBaselineContainers(docker: Docker, label: string): Promise<void> {
  const found = await docker.listContainers({ all: true, filters: { label: [`berth-bench=${label}`] } });
  await Promise.all(found.map((c) => docker.getContainer(c.Id).remove({ force: true })));
}
