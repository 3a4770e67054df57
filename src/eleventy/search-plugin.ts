import type UserConfig from "@11ty/eleventy/UserConfig";
import { indexSite } from "../search.js";

/**
 * The dev server re-indexes the site for search after every rebuild. The
 * build CLI indexes once itself, after all of its Eleventy runs, so plain
 * builds leave the index to it.
 */
export function searchPlugin(eleventyConfig: UserConfig): void {
  eleventyConfig.on("eleventy.after", async ({ directories, runMode }: { directories: { output: string }; runMode: string }) => {
    if (runMode !== "build") await indexSite(directories.output);
  });
}
