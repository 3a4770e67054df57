import type UserConfig from "@11ty/eleventy/UserConfig";
import { loadArchive } from "../archive.js";
import { siteMetadata } from "../site.js";
import { PATHS } from "../urls.js";

export interface ArchivePluginOptions {
  /** The folder of article files. */
  articlesDir: string;
}

/**
 * The archive as global data: `site` (metadata), `paths` (the fixed pages'
 * URLs) and `archive` (the site model). Both are computed anew on every build, so the dev server picks up
 * a new or edited article file, and a bad file fails the build with its
 * file and line.
 */
export function archivePlugin(eleventyConfig: UserConfig, { articlesDir }: ArchivePluginOptions): void {
  eleventyConfig.addWatchTarget(`${articlesDir}/`);
  eleventyConfig.addGlobalData("paths", PATHS);
  eleventyConfig.addGlobalData("site", () => siteMetadata());
  eleventyConfig.addGlobalData("archive", () => loadArchive(articlesDir));
}
