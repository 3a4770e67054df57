import { HtmlBasePlugin } from "@11ty/eleventy";
import type UserConfig from "@11ty/eleventy/UserConfig";
import { archivePlugin, type ArchiveSource } from "./archive-plugin.js";
import { filtersPlugin } from "./filters-plugin.js";

/**
 * The site's Eleventy configuration, in one place for the two ways it runs:
 * `.eleventy.ts` (a plain Eleventy run) hands it a folder of
 * articles to load; the build hands each of its runs the archive it loaded
 * and the pages that run writes.
 */
export function configureSite(eleventyConfig: UserConfig, source: ArchiveSource): void {
  eleventyConfig.setInputDirectory("content");
  eleventyConfig.setIncludesDirectory("../templates");
  eleventyConfig.setTemplateFormats(["njk", "11ty.ts"]);
  eleventyConfig.addPlugin(archivePlugin, source);
  // The site's logo and social card, with their SVG sources.
  eleventyConfig.addPassthroughCopy({ "content/assets": "assets" });
  eleventyConfig.addPlugin(filtersPlugin);
  // Feeds carry article HTML whose relative links must become absolute.
  eleventyConfig.addPlugin(HtmlBasePlugin);
  // Page templates in TypeScript run through tsx, as this configuration does.
  eleventyConfig.addExtension("11ty.ts", { key: "11ty.js" });
}
