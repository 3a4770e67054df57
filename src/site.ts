import { ARCHIVE_ZONE } from "./dates.js";

/** The site's metadata: every absolute URL, title and language comes from here. */
export interface SiteMetadata {
  title: string;
  description: string;
  /** Absolute base URL without a trailing slash; `SITE_URL` overrides it for deployment. */
  url: string;
  language: string;
  timeZone: string;
  /** The time zone as readers name it. */
  timeZoneName: string;
  publisher: string;
  /**
   * The date that, with the site's host, makes every Atom entry id (see
   * entryId): fixed, so that an entry keeps its id for as long as the site
   * keeps its host.
   */
  idsSince: string;
}

export const SITE: SiteMetadata = {
  title: "Harbin News Archive",
  // Plain configuration that names no section: sections come and go with the articles.
  description: "News from Harbin, the capital of Heilongjiang province: every article of the archive, by section and by date.",
  url: "https://archive.example.org",
  language: "en",
  timeZone: ARCHIVE_ZONE,
  timeZoneName: "China Standard Time",
  publisher: "Harbin News Archive",
  idsSince: "2026-12-01",
};

/** The metadata with `SITE_URL` applied; a malformed value is a configuration error. */
export function siteMetadata(env: Record<string, string | undefined> = process.env): SiteMetadata {
  const override = env.SITE_URL?.trim();
  if (!override) return SITE;
  let parsed: URL;
  try {
    parsed = new URL(override);
  } catch {
    throw new Error(`SITE_URL: expected an absolute http(s) URL, found ${JSON.stringify(override)}`);
  }
  if (!/^https?:$/.test(parsed.protocol) || parsed.search || parsed.hash) {
    throw new Error(`SITE_URL: expected an absolute http(s) URL without query or fragment, found ${JSON.stringify(override)}`);
  }
  // Every page would carry them.
  if (parsed.username || parsed.password) throw new Error("SITE_URL: expected a URL without a user name or password, found one with credentials (not shown)");
  // Pages link to each other from the root: a site under a sub-folder would break.
  if (parsed.pathname !== "/") throw new Error(`SITE_URL: expected the site's origin, without a path (a site under a sub-folder is not supported), found ${JSON.stringify(override)}`);
  return { ...SITE, url: parsed.origin };
}

/** An absolute URL for a site path. */
export function absoluteUrl(site: SiteMetadata, path: string): string {
  return `${site.url}${path}`;
}

/**
 * An article's Atom entry id: a tag URI (RFC 4151) of the site's host and
 * the article's identity, which neither a corrected headline nor a moved
 * date changes, so feed readers show a correction as the story it corrects.
 */
export function entryId(site: SiteMetadata, id: string): string {
  return `tag:${new URL(site.url).hostname},${site.idsSince}:${id}`;
}
