import type UserConfig from "@11ty/eleventy/UserConfig";
import { indexSite } from "../search.js";

export interface SearchPluginOptions {
  /** Off for benchmarks that time the search index on its own. */
  enabled: boolean;
}

/**
 * Builds the Pagefind index after Eleventy has written the site, inside the
 * same build, so an atomic build swaps in site and index together and the
 * dev server re-indexes on every rebuild.
 */
export function searchPlugin(eleventyConfig: UserConfig, { enabled }: SearchPluginOptions): void {
  if (!enabled) return;
  eleventyConfig.on("eleventy.after", async ({ directories }: { directories: { output: string } }) => {
    await indexSite(directories.output);
  });
}
