import { createHash } from "node:crypto";
import { dateParts } from "./dates.js";
import { memo } from "./text.js";

/**
 * Every URL of the site is made here, so pages, feeds, the sitemap and the
 * checks agree on them.
 */

function shortHash(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 10);
}

// Latin letters that Unicode decomposition does not take apart.
const SPELT_OUT: Record<string, string> = { ß: "ss", æ: "ae", œ: "oe", ø: "o", ł: "l", đ: "d", ð: "d", þ: "th", ı: "i" };

/** Text in lower-case ASCII where it can be: accents dropped, compatibility forms (full-width, ligatures) and special letters spelt out. */
function fold(text: string): string {
  return text
    .normalize("NFKD")
    // Combining accents, and zero-width and other format characters, which are not seen between letters.
    .replace(/[\p{M}\p{Cf}]/gu, "")
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (letter) => SPELT_OUT[letter]);
}

// A letter or digit that has no place in a slug: CJK, Cyrillic, Arabic and the like.
const UNSPELT = /[^\P{L}a-z]|[^\P{N}0-9]/u;

// File systems cap a name at 255 bytes; a slug stays well below, its end standing for what is cut.
const SLUG_MAX = 120;

function slugOf(text: string, fallbackPrefix: string): string {
  const folded = fold(text);
  const slug = folded.replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  // Text with no a-z0-9 at all (CJK, emoji, punctuation) still needs a stable, URL-safe name.
  if (!slug) return `${fallbackPrefix}-${shortHash(text)}`;
  // Headlines that differ only in letters the slug cannot hold, or in what a long slug leaves out, must not share a URL.
  if (slug.length > SLUG_MAX) return `${slug.slice(0, SLUG_MAX - 11).replace(/-[^-]*$/, "")}-${shortHash(text)}`;
  return UNSPELT.test(folded) ? `${slug}-${shortHash(text)}` : slug;
}

/** `Biz updates` -> `biz-updates` */
export const sectionSlug = memo((section) => slugOf(section, "section"));

/** `China’s trade, Russia's index` -> `chinas-trade-russias-index`; `Café Ærø` -> `cafe-aero` */
export function headlineSlug(headline: string): string {
  return slugOf(headline.replace(/['’]/g, ""), "article");
}

export const HOME_URL = "/";
export const ARCHIVE_URL = "/archive/";
export const SEARCH_URL = "/search/";
export const FEED_URL = "/feed.xml";
export const SITEMAP_URL = "/sitemap.xml";

/** The n-th file of a sitemap too large for one, which the index at SITEMAP_URL names. */
export function sitemapPartUrl(n: number): string {
  return `/sitemap-${n}.xml`;
}
export const NOT_FOUND_URL = "/404.html";
/** Pagefind's index and its JavaScript API. */
export const SEARCH_INDEX_URL = "/pagefind/";

/** One shard of the search index (`2021`, `2024-12`), which the search page merges with the others. */
export function searchIndexUrl(shard: string): string {
  return `${SEARCH_INDEX_URL}${shard}/`;
}

/** Section slugs that would take the place of another page. */
export const RESERVED_SLUGS = ["archive", "search", "pagefind", "page", "feed-xml", "assets"];

/** Page n of a list that starts at `base`: `/biz-updates/page/2/`, `/2021/08/page/2/`. */
export function listPageUrl(base: string, pageNumber: number): string {
  return pageNumber > 1 ? `${base}page/${pageNumber}/` : base;
}

export function sectionUrl(section: string, pageNumber = 1): string {
  return listPageUrl(`/${sectionSlug(section)}/`, pageNumber);
}

export function sectionFeedUrl(section: string): string {
  return `/${sectionSlug(section)}/feed.xml`;
}

export function yearUrl(year: string): string {
  return `/${year}/`;
}

export function monthUrl(year: string, month: string): string {
  return `/${year}/${month}/`;
}

export function dayUrl(year: string, month: string, day: string): string {
  return `/${year}/${month}/${day}/`;
}

/** `/YYYY/MM/DD/<headline-slug>/` */
export function articleUrl(article: { date: string; headline: string }): string {
  const { year, month, day } = dateParts(article.date);
  return `${dayUrl(year, month, day)}${headlineSlug(article.headline)}/`;
}

/** The file Eleventy writes for a URL. */
export function outputPath(url: string): string {
  return url.endsWith("/") ? `${url}index.html` : url;
}

/** The fixed pages, by name, for templates. */
export const PATHS = {
  home: HOME_URL,
  archive: ARCHIVE_URL,
  search: SEARCH_URL,
  feed: FEED_URL,
  sitemap: SITEMAP_URL,
  notFound: NOT_FOUND_URL,
  robots: "/robots.txt",
  /** Redirects in the format Netlify and Cloudflare Pages read. */
  redirects: "/_redirects",
  stylesheet: "/assets/site.css",
  /** The site's own artwork (content/assets/): its logo, and the card social sites show for pages without a photo. */
  logo: "/assets/logo.png",
  siteCard: "/assets/site-card.png",
  favicon: "/favicon.svg",
} as const;
