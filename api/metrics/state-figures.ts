// Berth's state figures for /metrics (db/queries/state-figures.ts), cached. A scrape reads the
// cache; once it is older than `refreshMs` the scrape still answers from it and starts a
// refresh in the background, so no scrape waits on a query over the tables (only the first
// one, when there is nothing yet). With refreshMs 0 every scrape reads fresh figures.
import type { Db } from '../../db/client.js';
import { readStateFigures, type StateFigures } from '../../db/queries/state-figures.js';

export function createStateFigures(db: Db, refreshMs: number) {
  let cached: { at: number; figures: StateFigures } | null = null;
  let refreshing: Promise<StateFigures> | null = null;
  const refresh = () => {
    refreshing ??= readStateFigures(db)
      .then((figures) => {
        cached = { at: Date.now(), figures };
        return figures;
      })
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  };
  return {
    /** The figures a scrape reports (see the file's head for how fresh). */
    async current(): Promise<StateFigures> {
      if (!cached || refreshMs === 0) return refresh();
      if (Date.now() - cached.at > refreshMs) void refresh().catch(() => undefined);
      return cached.figures;
    },
  };
}
