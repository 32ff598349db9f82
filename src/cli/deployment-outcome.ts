// How a deployment's end reads: a mark per outcome and the closing line, naming the phase it
// failed in or the deployment that replaced it.
import type { Schemas } from '../client/berth-client.js';
import { failedPhase, formatMs } from './phase-board.js';

export const MARK: Record<string, string> = { succeeded: '✓', failed: '✗', skipped: '–', cancelled: '⊘', superseded: '⊘', 'rolled-back': '↩' };

/** The closing line: the outcome, and where it failed or what replaced it. */
export function outcomeLine(d: Schemas['Deployment'], url: string | null): string {
  const took = d.finishedAt ? ` in ${formatMs(Date.parse(d.finishedAt) - Date.parse(d.createdAt))}` : '';
  const mark = MARK[d.status] ?? '?';
  if (d.status === 'succeeded') return `${mark} ${d.id} succeeded${took}${url ? `: live at ${url}` : ''}`;
  if (d.status === 'superseded') return `${mark} ${d.id} superseded${d.supersededBy ? ` by ${d.supersededBy}` : ''}${d.message ? `: ${d.message}` : ''}`;
  const phase = failedPhase(d);
  return `${mark} ${d.id} ${d.status}${phase ? ` in phase ${phase}` : ''}${took}${d.message ? `: ${d.message}` : ''}`;
}
