// A fork's build must share nothing with trusted builds. BuildKit's layer cache keys leave
// secrets out, so an identical step would take a layer a trusted build made with a secret (a
// private artifact, say), or leave one a trusted build would reuse; cache mounts are shared by
// id; and any image in the engine can be a base. So an untrusted Dockerfile is rewritten and
// checked before it is built:
//   - every stage declares one more build argument, set to the deployment's id: Docker passes
//     declared arguments to every later RUN step, which changes their cache keys;
//   - every cache mount gets an id of this build's own;
//   - the images it starts from or copies from are listed (with build arguments resolved), so
//     the builder can refuse images Berth built; one it cannot resolve is refused;
//   - parser directives that would change the parser (escape) or bring another frontend
//     (syntax) are refused.
// Heredoc bodies are left as they are; only RUN, COPY and ADD open them.

export const UNTRUSTED_BUILD_ARG = 'BERTH_UNTRUSTED_BUILD_ID';

export interface UntrustedDockerfile {
  text: string;
  /** Images the build reads from (FROM, COPY --from, RUN --mount from=), stages left out. */
  references: string[];
  /** Why it cannot be built untrusted; empty when it can. */
  problems: string[];
}

const DIRECTIVE = /^#\s*([a-zA-Z]+)\s*=\s*(.*)$/;
const HEREDOC = /<<-?\s*(["']?)([A-Za-z_][A-Za-z0-9_]*)\1/g;
const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;

function resolve(value: string, args: Record<string, string>): string {
  return value.replace(VARIABLE, (whole, a?: string, b?: string) => args[(a ?? b) as string] ?? whole);
}

/** The comma-separated options of a --mount flag, with cache mounts given their own id. */
function isolateMount(options: string, id: string): string {
  const parts = options.split(',');
  if (!parts.includes('type=cache')) return options;
  return [...parts.filter((p) => !p.startsWith('id=')), `id=${id}`].join(',');
}

export function isolateDockerfile(text: string, buildId: string, buildArgs: Record<string, string>): UntrustedDockerfile {
  const lines = text.split('\n');
  const out: string[] = [];
  const references: string[] = [];
  const problems: string[] = [];
  const stages = new Set<string>();
  const args: Record<string, string> = {};
  const heredocs: string[] = [];
  let mounts = 0;
  let stageCount = 0;
  let directives = true;
  let continued = false;
  let instruction = '';

  const reference = (raw: string) => {
    const image = resolve(raw, { ...args, ...buildArgs });
    if (stages.has(image.toLowerCase()) || /^\d+$/.test(image)) return;
    if (image.includes('$')) problems.push(`image ${raw} depends on a build argument Berth cannot resolve`);
    else if (image.toLowerCase() !== 'scratch') references.push(image);
  };

  for (const original of lines) {
    let line = original;
    if (heredocs.length) {
      out.push(line);
      if (line.trim() === heredocs[0]) heredocs.shift();
      continue;
    }
    const trimmed = line.trim();
    if (directives) {
      const directive = DIRECTIVE.exec(trimmed);
      if (directive) {
        const name = (directive[1] as string).toLowerCase();
        if (name === 'syntax' || name === 'escape') problems.push(`the parser directive ${name} is not allowed in an untrusted build`);
        out.push(line);
        continue;
      }
      if (trimmed !== '') directives = false;
    }
    if (trimmed.startsWith('#') || trimmed === '') {
      out.push(line);
      continue;
    }
    const first = !continued;
    continued = trimmed.endsWith('\\');
    const words = trimmed.split(/\s+/);
    if (first) instruction = (words[0] as string).toUpperCase();
    const keyword = first ? instruction : '';
    if (keyword === 'ARG' && stageCount === 0) {
      for (const word of words.slice(1)) {
        const [name, ...value] = word.split('=');
        if (name && value.length) args[name] = value.join('=').replace(/^["']|["']$/g, '');
      }
    }
    if (keyword === 'FROM') {
      const rest = words.slice(1).filter((w) => !w.startsWith('--'));
      if (rest[0]) reference(rest[0]);
      if (rest[1]?.toUpperCase() === 'AS' && rest[2]) stages.add(rest[2].toLowerCase());
      stageCount++;
      out.push(line, `ARG ${UNTRUSTED_BUILD_ARG}`);
      continue;
    }
    // Flags of COPY and RUN (on their first line, or a continued one).
    if (instruction === 'COPY') for (const m of line.matchAll(/--from=(\S+)/g)) reference(m[1] as string);
    line = line.replace(/--mount=(\S+)/g, (_, options: string) => {
      const from = /(?:^|,)from=([^,]+)/.exec(options)?.[1];
      if (from) reference(from);
      return `--mount=${isolateMount(options, `berth-untrusted-${buildId}-${mounts++}`)}`;
    });
    if (first && ['RUN', 'COPY', 'ADD'].includes(keyword)) for (const m of line.matchAll(HEREDOC)) heredocs.push(m[2] as string);
    out.push(line);
  }
  return { text: out.join('\n'), references: [...new Set(references)], problems };
}
