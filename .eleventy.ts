import type UserConfig from "@11ty/eleventy/UserConfig";
import { configureSite } from "./src/eleventy/site-config.js";
import { ARTICLES_DIR } from "./src/load.js";

// `ARCHIVE_ARTICLES_DIR` points the dev server at another folder of articles; the build configures its runs itself.
export default function (eleventyConfig: UserConfig) {
  configureSite(eleventyConfig, { articlesDir: process.env.ARCHIVE_ARTICLES_DIR ?? ARTICLES_DIR });
}
