// A stack's dry-run plan drawn as its dependency graph: one column per rollout level (each
// level starts once the one before is healthy), an arrow from each service to those that
// depend on it. The levels are also listed in text beside it, for screen readers and copying.
import type { Schemas } from '../api.js';

const COL = 180;
const ROW = 46;
const BOX = { w: 140, h: 30 };

/** depends_on of each service, from the normalised services of the plan. */
function dependencies(plan: Schemas['StackDryRun']): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, spec] of Object.entries(plan.services)) {
    const list = (spec as { dependsOn?: { service: string }[] }).dependsOn ?? [];
    out[name] = list.map((d) => d.service);
  }
  return out;
}

export function StackGraph(props: { plan: Schemas['StackDryRun'] }) {
  const { rolloutOrder } = props.plan;
  const at = new Map<string, { x: number; y: number }>();
  rolloutOrder.forEach((level, col) => level.forEach((s, row) => at.set(s, { x: 10 + col * COL, y: 10 + row * ROW })));
  const height = 20 + Math.max(1, ...rolloutOrder.map((l) => l.length)) * ROW;
  const width = 20 + rolloutOrder.length * COL;
  const deps = dependencies(props.plan);
  const edges = Object.entries(deps).flatMap(([service, on]) => on.map((d) => ({ from: d, to: service })));
  return (
    <svg class="graph" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Dependency graph: ${edges.map((e) => `${e.to} after ${e.from}`).join(', ') || 'no dependencies'}`}>
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#555d66" />
        </marker>
      </defs>
      {edges.map((e) => {
        const a = at.get(e.from);
        const b = at.get(e.to);
        if (!a || !b) return null;
        return <line class="edge" x1={a.x + BOX.w} y1={a.y + BOX.h / 2} x2={b.x} y2={b.y + BOX.h / 2} stroke="#555d66" marker-end="url(#arrow)" />;
      })}
      {[...at].map(([name, p]) => (
        <g class="node">
          <rect x={p.x} y={p.y} width={BOX.w} height={BOX.h} rx="4" fill="#fff" stroke="#6e7781" />
          <text x={p.x + 8} y={p.y + 20} font-size="13" fill="#1b1f24">
            {name}
          </text>
        </g>
      ))}
    </svg>
  );
}
