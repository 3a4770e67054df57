import type { Archive, ArticlePage, Feed, ListPage, Redirect } from "./archive.js";

/**
 * Which pages one Eleventy run writes. A full build writes every page in a
 * few runs of bounded size (Eleventy holds every page of a run in memory);
 * an incremental build writes only the pages whose inputs changed.
 */
export interface RenderSelection {
  articles: ArticlePage[];
  listPages: ListPage[];
  feeds: Feed[];
  /** The pages at URLs the archive published before: redirects, and removed articles' notices. */
  redirects: Redirect[];
  /** Whether the run writes the one-off pages: home, archive index, sitemap, search, 404, robots, stylesheet. */
  once: boolean;
}

/** What the page templates paginate over. */
export interface RenderData {
  articles: ArticlePage[];
  listPages: ListPage[];
  feeds: Feed[];
  redirects: Redirect[];
}

export function everything(archive: Archive): RenderSelection {
  return { articles: archive.articles, listPages: archive.listPages, feeds: archive.feeds, redirects: archive.redirects, once: true };
}

export function renderData(selection: RenderSelection): RenderData {
  return {
    articles: selection.articles,
    listPages: selection.listPages,
    feeds: selection.feeds,
    redirects: selection.redirects,
  };
}

/** Split a selection into runs of at most `size` pages; the feeds, redirects and one-off pages go with the first. */
export function inRuns(selection: RenderSelection, size: number): RenderSelection[] {
  const runs: RenderSelection[] = [];
  const pages = [...selection.articles.map((a) => ({ article: a })), ...selection.listPages.map((p) => ({ listPage: p }))];
  for (let start = 0; start < pages.length || runs.length === 0; start += size) {
    const part = pages.slice(start, start + size);
    runs.push({
      articles: part.flatMap((p) => ("article" in p ? [p.article] : [])),
      listPages: part.flatMap((p) => ("listPage" in p ? [p.listPage] : [])),
      feeds: runs.length === 0 ? selection.feeds : [],
      // Small pages of no content, which cost next to nothing.
      redirects: runs.length === 0 ? selection.redirects : [],
      once: selection.once && runs.length === 0,
    });
  }
  return runs;
}
