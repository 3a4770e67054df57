import type UserConfig from "@11ty/eleventy/UserConfig";
import { listPageData, loadArchive, onceData, type NavSection, type OnceData } from "../archive.js";
import { ParseCache } from "../load.js";
import { writePhotos } from "../photos.js";
import { cacheDir, everything, parserFingerprint, photoCacheDir, renderData, type RenderSelection } from "../plan.js";
import { indexSite } from "../search.js";
import { siteMetadata } from "../site.js";
import { PATHS } from "../urls.js";

/**
 * One run of the build: the pages it writes, the sections every page
 * names, and what the one-off pages (home, sitemap…) show of the archive,
 * for the run that writes them.
 */
export interface RunSource {
  selection: RenderSelection;
  nav: NavSection[];
  once: OnceData | null;
}

/**
 * Where a run's pages come from: a folder of articles, loaded anew on
 * every build so that Eleventy's own `--serve` picks up a new or edited article file;
 * or a run of the build.
 */
export type ArchiveSource = { articlesDir: string } | RunSource;

/**
 * The archive as global data:
 * - `site`: metadata; `paths`: the fixed pages' URLs; `nav`: the sections;
 * - `archive`: what the one-off pages (home, sitemap…) show of the site model;
 * - `render`: what the page templates paginate over in this run.
 * Article and list pages see only their own item, `site`, `paths` and `nav`,
 * which is what lets an incremental build tell which of them changed.
 */
export function archivePlugin(eleventyConfig: UserConfig, source: ArchiveSource): void {
  eleventyConfig.addGlobalData("paths", PATHS);
  eleventyConfig.addGlobalData("site", () => siteMetadata());
  let run: () => RunSource;
  if ("articlesDir" in source) {
    eleventyConfig.addWatchTarget(`${source.articlesDir}/`);
    // Article files are data, read by the archive's own loader: a template dropped among them must never run.
    eleventyConfig.ignores.add(`${source.articlesDir}/**`);
    // Kept across Eleventy's rebuilds under `--serve`: only files whose bytes changed are parsed again. It starts
    // from the parses the last build saved, and what it has to parse it parses on every core.
    const cache = new ParseCache();
    cache.restore(cacheDir("."), parserFingerprint("."));
    eleventyConfig.on("eleventy.before", () => cache.prime(source.articlesDir));
    const loaded = () => loadArchive(source.articlesDir, { cache });
    run = () => {
      const archive = loaded();
      return { once: onceData(archive), nav: archive.nav, selection: { ...everything(archive), listPages: archive.listPages.map(listPageData) } };
    };
    // The build makes the photos and the search index itself, after its runs; a plain Eleventy run does it here.
    eleventyConfig.on("eleventy.after", async ({ directories }: { directories: { output: string } }) => {
      const { photos, searchShards } = loaded();
      await writePhotos(photos, photoCacheDir("."), directories.output);
      await indexSite(directories.output, searchShards);
    });
  } else run = () => source;
  eleventyConfig.addGlobalData("archive", () => run().once);
  eleventyConfig.addGlobalData("nav", () => run().nav);
  eleventyConfig.addGlobalData("render", () => renderData(run().selection));
  // One rule for the pages written once per build (home, archive index, sitemap, search, 404, robots, stylesheet):
  // every template that does not paginate over `render`, whose lists the runs share out. A run that is not to write them skips them.
  eleventyConfig.addPreprocessor("once", "*", (data: { pagination?: { data?: string } }) =>
    data.pagination?.data?.startsWith("render.") || run().selection.once ? undefined : false,
  );
}
