import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DomUtils } from "htmlparser2";
import { siteFiles } from "../output.js";
import { PATHS, SEARCH_INDEX_URL } from "../urls.js";
import { attr, elements, parseHtml, parseXml, type Document } from "./dom.js";
import type { PageFacts, PageFactsStore } from "./facts.js";

/** A file of the built site, by the URL path that serves it. */
export interface SiteFile {
  /** `/2021/08/` for `2021/08/index.html`, `/feed.xml` for `feed.xml`. */
  url: string;
  /** The path under the site folder, `/2021/08/index.html`. */
  path: string;
  file: string;
  kind: "html" | "xml" | "text" | "other";
  /** The text of html, xml and text files. */
  source: string;
  /** The parsed xml files. */
  doc: Document | null;
  /** What the checks read from an html page, once taken (see takeFacts). */
  facts: PageFacts | null;
  /** Every `id` and `<a name>` of an html page, once its facts are taken. */
  ids: Set<string>;
  /** The HTML a feed carries as escaped text, with the URL its links are relative to. */
  embedded: { doc: Document; base: string }[];
}

export interface BuiltSite {
  dir: string;
  files: SiteFile[];
  /** By path under the site folder. */
  byPath: Map<string, SiteFile>;
}

function kindOf(path: string): SiteFile["kind"] {
  if (path.endsWith(".html")) return "html";
  if (path === PATHS.redirects) return "text";
  if (path.endsWith(".xml")) return "xml";
  return /\.(txt|css|js|json|webmanifest)$/.test(path) ? "text" : "other";
}

export function urlOfPath(path: string): string {
  return path.endsWith("/index.html") ? path.slice(0, -"index.html".length) : path;
}

/** Atom's `type="html"` constructs: article HTML escaped into the feed, itself output to check. */
function embeddedHtml(doc: Document, fileUrl: string): SiteFile["embedded"] {
  return elements(doc)
    .filter((el) => attr(el, "type") === "html")
    .map((el) => {
      const entry = el.parent && elements(el.parent, "link").find((link) => (attr(link, "rel") ?? "alternate") === "alternate");
      return { doc: parseHtml(DomUtils.textContent(el)), base: (entry && attr(entry, "href")) ?? fileUrl };
    });
}

/**
 * Read every file of a built site once and parse its xml files; Pagefind's
 * index, the library's files rather than the site's text, is listed but
 * not read.
 */
export function readSite(dir: string): BuiltSite {
  const files = siteFiles(dir).map((relative): SiteFile => {
    const path = `/${relative}`;
    const file = join(dir, path);
    const kind = path.startsWith(SEARCH_INDEX_URL) ? "other" : kindOf(path);
    const source = kind === "other" ? "" : readFileSync(file, "utf8");
    const url = urlOfPath(path);
    const doc = kind === "xml" ? parseXml(source) : null;
    return { url, path, file, kind, source, doc, facts: null, ids: new Set(), embedded: doc ? embeddedHtml(doc, url) : [] };
  });
  return { dir, files, byPath: new Map(files.map((f) => [f.path, f])) };
}

/** Take the facts of the site's html pages from `facts`, which the link and content rules read. */
export function takeFacts(site: BuiltSite, facts: PageFactsStore): void {
  for (const file of site.files) {
    if (file.kind !== "html") continue;
    file.facts = facts.factsOf(file.url, file.source);
    file.ids = new Set(file.facts.ids);
  }
}
