import type UserConfig from "@11ty/eleventy/UserConfig";
import { loadArchive } from "../archive.js";
import { renderData, type RenderSelection } from "../render-plan.js";
import { siteMetadata } from "../site.js";
import { PATHS } from "../urls.js";

export interface ArchivePluginOptions {
  /** The folder of article files. */
  articlesDir: string;
}

// The build runs Eleventy several times in one process, each run writing a
// part of the site; the dev server and a plain Eleventy run write it all.
let selection: RenderSelection | undefined;

/** Limit the next Eleventy runs of this process to some pages, or (undefined) to none of the limits. */
export function selectPages(next: RenderSelection | undefined): void {
  selection = next;
}

/**
 * The archive as global data, computed anew on every build so that the dev
 * server picks up a new or edited article file and a bad file fails the
 * build with its file and line:
 * - `site`: metadata; `paths`: the fixed pages' URLs; `nav`: the sections;
 * - `archive`: the site model, for the one-off pages (home, feeds, sitemap…);
 * - `render`: what the page templates paginate over in this run.
 * Article and list pages see only their own item, `site`, `paths` and `nav`,
 * which is what lets an incremental build tell which of them changed.
 */
export function archivePlugin(eleventyConfig: UserConfig, { articlesDir }: ArchivePluginOptions): void {
  eleventyConfig.addWatchTarget(`${articlesDir}/`);
  eleventyConfig.addGlobalData("paths", PATHS);
  eleventyConfig.addGlobalData("site", () => siteMetadata());
  eleventyConfig.addGlobalData("archive", () => loadArchive(articlesDir));
  eleventyConfig.addGlobalData("nav", () => loadArchive(articlesDir).nav);
  eleventyConfig.addGlobalData("render", () => renderData(loadArchive(articlesDir), selection));
}
