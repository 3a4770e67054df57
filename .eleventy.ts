import type UserConfig from "@11ty/eleventy/UserConfig";
import { configureSite } from "./src/eleventy/site-config.js";
import { ARTICLES_DIR } from "./src/load.js";

// A plain Eleventy run (`tsx node_modules/@11ty/eleventy/cmd.cjs --config=.eleventy.ts`, `--serve` too), which writes the pages the build writes;
// `ARCHIVE_ARTICLES_DIR` points it at another folder of articles. The build and the dev server configure their runs themselves.
export default function (eleventyConfig: UserConfig) {
  configureSite(eleventyConfig, { articlesDir: process.env.ARCHIVE_ARTICLES_DIR ?? ARTICLES_DIR });
}
