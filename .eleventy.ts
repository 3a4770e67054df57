import { HtmlBasePlugin } from "@11ty/eleventy";
import type UserConfig from "@11ty/eleventy/UserConfig";
import { archivePlugin } from "./src/eleventy/archive-plugin.js";
import { filtersPlugin } from "./src/eleventy/filters-plugin.js";
import { searchPlugin } from "./src/eleventy/search-plugin.js";
import { ARTICLES_DIR } from "./src/load.js";

export default function (eleventyConfig: UserConfig) {
  // `ARCHIVE_ARTICLES_DIR` points the dev server at another folder of articles; the build CLI hands its runs the archive it loaded.
  eleventyConfig.addPlugin(archivePlugin, { articlesDir: process.env.ARCHIVE_ARTICLES_DIR ?? ARTICLES_DIR });
  eleventyConfig.addPlugin(filtersPlugin);
  // Feeds carry article HTML whose relative links must become absolute.
  eleventyConfig.addPlugin(HtmlBasePlugin);
  eleventyConfig.addPlugin(searchPlugin);

  // Page templates in TypeScript run through tsx, as this configuration does.
  eleventyConfig.addExtension("11ty.ts", { key: "11ty.js" });

  return {
    dir: { input: "content", includes: "../templates" },
    templateFormats: ["njk", "11ty.ts"],
    htmlTemplateEngine: "njk",
  };
}
