// The web UI's client code (ui/) bundled by esbuild when the API first needs it — at start-up
// (startApiServer warms it) — into memory, so the sources serve the UI with no build step and
// nothing is written beside them; the built output (dist/) reads the bundle its build wrote.
// Asset names carry a hash of their contents: browsers may keep them for a year, and a new Berth
// ships new names.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface UiAsset {
  name: string;
  type: string;
  body: Uint8Array;
  /** The same, gzipped once at build time (what almost every browser is sent). */
  gzipped: Uint8Array;
}

export interface UiBundle {
  script: UiAsset;
  style: UiAsset;
  /** Every asset by its hashed name. */
  assets: Map<string, UiAsset>;
}

// ui/ sits beside api/ in the sources; a build in dist/ reads the sources it shipped with.
const ENTRY_CANDIDATES = ['../../ui/main.tsx', '../../../ui/main.tsx'].map((p) => fileURLToPath(new URL(p, import.meta.url)));

/** The UI's script and style, bundled and minified by esbuild from ui/. */
async function compile(): Promise<{ js: Uint8Array; css: Uint8Array }> {
  const entry = ENTRY_CANDIDATES.find((p) => existsSync(p));
  if (!entry) throw new Error('the web UI sources (ui/main.tsx) are missing');
  // esbuild is loaded only here: processes that never serve the UI never load it.
  const esbuild = await import('esbuild');
  // esbuild works in a child process it keeps for later builds; there are none, so it is
  // stopped at once (a process manager would otherwise find it running after Berth stops).
  let result: Awaited<ReturnType<typeof esbuild.build<{ write: false }>>>;
  try {
    result = await esbuild.build({
      entryPoints: { app: entry },
      bundle: true,
      minify: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      jsx: 'automatic',
      jsxImportSource: 'hono/jsx/dom',
      write: false,
      outdir: '/ui-out',
      legalComments: 'none',
      logLevel: 'silent',
    });
  } finally {
    await esbuild.stop();
  }
  const output = (ext: string) => result.outputFiles.find((f) => f.path.endsWith(`.${ext}`))?.contents ?? new Uint8Array();
  return { js: output('js'), css: output('css') };
}

/**
 * Where `npm run build` leaves the bundle (dist/ui-bundle/), beside the compiled code it was
 * built with: a built API reads it instead of running esbuild at start (~14 MB less resident).
 */
const PREBUILT_DIR = import.meta.url.endsWith('.js') ? fileURLToPath(new URL('../../ui-bundle', import.meta.url)) : null;

/** Writes the bundle for builtOrCompiled() to find (the build's last step). */
export async function writeUiBundle(dir: string): Promise<void> {
  const { js, css } = await compile();
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'app.js'), js);
  writeFileSync(join(dir, 'app.css'), css);
}

async function builtOrCompiled(): Promise<{ js: Uint8Array; css: Uint8Array }> {
  if (PREBUILT_DIR && existsSync(join(PREBUILT_DIR, 'app.js')) && existsSync(join(PREBUILT_DIR, 'app.css'))) {
    return { js: readFileSync(join(PREBUILT_DIR, 'app.js')), css: readFileSync(join(PREBUILT_DIR, 'app.css')) };
  }
  return compile();
}

async function build(): Promise<UiBundle> {
  const { js, css } = await builtOrCompiled();
  const assets = new Map<string, UiAsset>();
  const named = (body: Uint8Array, ext: 'js' | 'css', type: string): UiAsset => {
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const asset = { name: `app.${hash}.${ext}`, type, body, gzipped: gzipSync(body, { level: 9 }) };
    assets.set(asset.name, asset);
    return asset;
  };
  return { script: named(js, 'js', 'text/javascript; charset=utf-8'), style: named(css, 'css', 'text/css; charset=utf-8'), assets };
}

let pending: Promise<UiBundle> | null = null;

/** The bundle, built once per process; a failed build is tried again on the next call. */
export function uiBundle(): Promise<UiBundle> {
  pending ??= build().catch((err: unknown) => {
    pending = null;
    throw err;
  });
  return pending;
}
