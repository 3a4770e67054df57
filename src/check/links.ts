import { outputPath, PATHS } from "../urls.js";
import { attr, elements, textOf, type Parent } from "./dom.js";
import type { Problem } from "./problem.js";
import type { BuiltSite, SiteFile } from "./site.js";

/** A URL found in the output, and what it has to be. */
export interface FoundLink {
  url: string;
  /** How it was found, for the message: `href of <a>`. */
  where: string;
  /** A canonical URL, `og:url`, sitemap `<loc>` or feed `self` names the site's own page: it may not point elsewhere. */
  own: boolean;
}

export type Resolved =
  | { kind: "internal"; path: string; fragment: string }
  | { kind: "external"; url: string }
  | { kind: "script" }
  | { kind: "other" }
  | { kind: "invalid" };

// Root-relative and relative links are resolved against this stand-in origin.
const LOCAL = "http://site.invalid";

/** Where a link found on the page at `pageUrl` leads; absolute URLs under `siteUrl` are the site's own. */
export function resolveLink(raw: string, pageUrl: string, siteUrl: string): Resolved {
  let url: URL;
  try {
    url = new URL(raw.trim(), LOCAL + pageUrl);
  } catch {
    return { kind: "invalid" };
  }
  if (url.protocol === "javascript:") return { kind: "script" };
  if (url.protocol !== "http:" && url.protocol !== "https:") return { kind: "other" };
  let path: string;
  if (url.origin === LOCAL) path = url.pathname;
  else if (url.href === siteUrl || url.href.startsWith(`${siteUrl}/`) || url.href.startsWith(`${siteUrl}#`)) {
    path = new URL(url.href.slice(siteUrl.length) || "/", LOCAL).pathname;
  } else return { kind: "external", url: url.href };
  try {
    return { kind: "internal", path: decodeURIComponent(path), fragment: decodeURIComponent(url.hash.slice(1)) };
  } catch {
    return { kind: "invalid" };
  }
}

/** The file a site path is served from: a folder's `index.html`, also when the slash is missing. */
export function findTarget(site: BuiltSite, path: string): SiteFile | undefined {
  return site.byPath.get(outputPath(path)) ?? (path.endsWith("/") ? undefined : site.byPath.get(`${path}/index.html`));
}

const URL_ATTRIBUTES: Record<string, string[]> = {
  href: ["a", "area", "link"],
  src: ["img", "script", "iframe", "source", "audio", "video", "track", "embed", "input"],
  srcset: ["img", "source"],
  poster: ["video"],
  data: ["object"],
};

/** The URLs of a `srcset`: candidates are a URL and optional descriptors, separated by commas. */
export function srcsetUrls(srcset: string): string[] {
  const urls: string[] = [];
  let rest = srcset;
  for (;;) {
    rest = rest.replace(/^[\s,]+/, "");
    if (!rest) return urls;
    const url = /^\S+/.exec(rest)![0];
    // As HTML parses it: a URL runs to white space, and commas at its end close the candidate without descriptors.
    urls.push(url.replace(/,+$/, ""));
    rest = rest.slice(url.length);
    if (!url.endsWith(",")) rest = rest.replace(/^[^,]*/, "");
  }
}

export function htmlLinks(root: Parent): FoundLink[] {
  const found: FoundLink[] = [];
  for (const el of elements(root)) {
    for (const [name, tags] of Object.entries(URL_ATTRIBUTES)) {
      const value = attr(el, name);
      if (value === undefined || !tags.includes(el.name)) continue;
      const where = `${name} of <${el.name}>`;
      const own = el.name === "link" && /\bcanonical\b/i.test(attr(el, "rel") ?? "");
      for (const url of name === "srcset" ? srcsetUrls(value) : [value]) found.push({ url, where, own });
    }
    const property = el.name === "meta" ? attr(el, "property") : undefined;
    const content = attr(el, "content");
    if ((property === "og:url" || property === "og:image") && content !== undefined) {
      found.push({ url: content, where: `<meta property="${property}">`, own: property === "og:url" });
    }
  }
  return found;
}

function xmlLinks(root: Parent): FoundLink[] {
  return [
    ...elements(root, "link").flatMap((el) => {
      const href = attr(el, "href");
      return href === undefined ? [] : [{ url: href, where: `<link rel="${attr(el, "rel") ?? "alternate"}">`, own: attr(el, "rel") === "self" }];
    }),
    ...elements(root, "loc").map((el) => ({ url: textOf(el), where: "sitemap <loc>", own: true })),
  ];
}

function robotsLinks(text: string): FoundLink[] {
  return [...text.matchAll(/^sitemap:\s*(\S+)/gim)].map((m) => ({ url: m[1], where: "Sitemap: line", own: true }));
}

export interface LinkReport {
  problems: Problem[];
  /** External URL -> the pages linking to it. */
  external: Map<string, Set<string>>;
  /** Page URL -> the site pages it links to (the URL of the file found, or the path when none was). */
  linksFrom: Map<string, Set<string>>;
  internal: number;
}

/** Check that every internal link of every html page, feed, sitemap and robots.txt leads to a file and an id. */
export function checkLinks(site: BuiltSite, siteUrl: string): LinkReport {
  const report: LinkReport = { problems: [], external: new Map(), linksFrom: new Map(), internal: 0 };
  const problem = (page: string, rule: string, message: string) => report.problems.push({ page, rule, message });
  // Half a million links at 10,000 articles, most of them the same root-relative or absolute URLs on every page: each is resolved once.
  const resolved = new Map<string, Resolved>();
  const resolve = (raw: string, base: string): Resolved => {
    const key = /^\/(?!\/)|^[a-z][a-z\d+.-]*:/i.test(raw.trim()) ? raw : `${base}\0${raw}`;
    let to = resolved.get(key);
    if (!to) resolved.set(key, (to = resolveLink(raw, base, siteUrl)));
    return to;
  };
  for (const file of site.files) {
    const groups: { base: string; links: FoundLink[] }[] = [];
    if (file.facts) groups.push({ base: file.url, links: file.facts.links });
    if (file.kind === "xml" && file.doc) groups.push({ base: file.url, links: xmlLinks(file.doc) });
    if (file.path === PATHS.robots) groups.push({ base: file.url, links: robotsLinks(file.source) });
    for (const { doc, base } of file.embedded) groups.push({ base, links: htmlLinks(doc) });
    if (groups.length === 0) continue;
    const targets = new Set<string>();
    report.linksFrom.set(file.url, targets);
    for (const { base, links } of groups) {
      for (const { url, where, own } of links) {
        const to = resolve(url, base);
        if (to.kind === "invalid") problem(file.url, "link", `expected a valid URL in the ${where}, found ${JSON.stringify(url)}`);
        else if (to.kind === "script") problem(file.url, "script", `expected no javascript: URL, found one in the ${where}`);
        else if (to.kind === "external") {
          if (own) problem(file.url, "canonical", `expected the ${where} to be under the site's URL ${siteUrl}, found ${url}`);
          const pages = report.external.get(to.url) ?? new Set<string>();
          report.external.set(to.url, pages.add(file.url));
        } else if (to.kind === "internal") {
          report.internal++;
          const target = findTarget(site, to.path);
          targets.add(target?.url ?? to.path);
          if (!target) problem(file.url, "link", `expected a file for ${to.path} (${where}), found none`);
          else if (to.fragment && target.kind === "html" && !target.ids.has(to.fragment)) {
            problem(file.url, "fragment", `expected an element with id ${JSON.stringify(to.fragment)} on ${target.url} (${where}), found none`);
          }
        }
      }
    }
  }
  return report;
}
