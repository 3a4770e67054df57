import type UserConfig from "@11ty/eleventy/UserConfig";
import { dateTime, readableDate } from "../dates.js";
import { renderBody } from "../markdown.js";
import { absoluteUrl, entryId, type SiteMetadata } from "../site.js";
import { photoSources } from "../photos.js";
import { articleStructuredData, siteStructuredData, socialCard } from "../structured-data.js";

/** Serialise data for a `<script type="application/ld+json">`: no text can close the element. */
export function jsonForScript(data: unknown): string {
  return JSON.stringify(data).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

/** Filters the templates use; each is a helper of `src/`, named as there. */
export function filtersPlugin(eleventyConfig: UserConfig): void {
  eleventyConfig.addFilter("readableDate", readableDate);
  eleventyConfig.addFilter("dateTime", dateTime);
  eleventyConfig.addFilter("renderBody", renderBody);
  eleventyConfig.addFilter("absoluteUrl", (path: string, site: SiteMetadata) => absoluteUrl(site, path));
  eleventyConfig.addFilter("entryId", (id: string, site: SiteMetadata) => entryId(site, id));
  eleventyConfig.addFilter("jsonForScript", jsonForScript);
  eleventyConfig.addFilter("structuredData", articleStructuredData);
  eleventyConfig.addFilter("siteStructuredData", siteStructuredData);
  eleventyConfig.addFilter("socialCard", socialCard);
  eleventyConfig.addFilter("photoSources", photoSources);
}
