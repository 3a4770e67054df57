import type UserConfig from "@11ty/eleventy/UserConfig";
import { loadArchive, type Archive } from "../archive.js";
import { renderData, type RenderSelection } from "../render-plan.js";
import { siteMetadata } from "../site.js";
import { PATHS } from "../urls.js";

export interface ArchivePluginOptions {
  /** The folder of article files. */
  articlesDir: string;
}

// The build runs Eleventy several times in one process, each run writing a
// part of the site from the archive the build loaded; the dev server and a
// plain Eleventy run load the archive themselves and write it all.
let pinned: { archive: Archive; selection: RenderSelection } | undefined;

/** Have the next Eleventy runs of this process write part of an archive already loaded, or (undefined) load it and write it all. */
export function selectPages(next: { archive: Archive; selection: RenderSelection } | undefined): void {
  pinned = next;
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
  // Article files are data, read by the archive's own loader: a template dropped among them must never run.
  eleventyConfig.ignores.add(`${articlesDir}/**`);
  eleventyConfig.addGlobalData("paths", PATHS);
  eleventyConfig.addGlobalData("site", () => siteMetadata());
  const archive = () => pinned?.archive ?? loadArchive(articlesDir);
  eleventyConfig.addGlobalData("archive", archive);
  eleventyConfig.addGlobalData("nav", () => archive().nav);
  eleventyConfig.addGlobalData("render", () => renderData(archive(), pinned?.selection));
}
