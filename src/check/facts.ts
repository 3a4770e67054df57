import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Archive, Article } from "../archive.js";
import { createMarkdown } from "../markdown.js";
import { articleFacts, blocksKey, Literals, pageBlocks, scanPage, type ArticleFacts } from "./content.js";
import { attr, elements, parseHtml, textOf, type Element } from "./dom.js";
import type { Finding } from "./html.js";
import { htmlLinks, type FoundLink } from "./links.js";

/** Everything the link and content rules read from one HTML page, so that a page unchanged since the last check is not parsed again. */
export interface PageFacts {
  links: FoundLink[];
  /** Every `id` and `<a name>`. */
  ids: string[];
  /** What the text, script and Markdown rules found on the page. */
  scan: Finding[];
  /** The texts of its `<h1>`s and the `datetime`s of its `<time>`s. */
  headlines: string[];
  datetimes: string[];
  /** The key of an article body's block texts (see blocksKey), or null on a page without one. */
  blocks: string | null;
  /** Where `<meta http-equiv="refresh">` sends the reader, or null. */
  refresh: string | null;
  /** Whether `<meta name="robots">` keeps the page out of search engines. */
  noindex: boolean;
}

function sha(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return hash.digest("base64url");
}

/** `0; url=/new/` -> `/new/` */
function refreshTarget(els: Element[]): string | null {
  const meta = els.find((el) => el.name === "meta" && attr(el, "http-equiv")?.toLowerCase() === "refresh");
  const content = meta && attr(meta, "content");
  if (content === undefined) return null;
  return /^\s*\d+\s*[;,]\s*url\s*=\s*['"]?([^'"]*)/i.exec(content)?.[1]?.trim() ?? "";
}

function factsOf(url: string, source: string, literals: Literals): PageFacts {
  const doc = parseHtml(source);
  const els = elements(doc);
  const ids = els.flatMap((el) => attr(el, "id") ?? (el.name === "a" ? attr(el, "name") : undefined) ?? []);
  const body = pageBlocks(doc);
  return {
    links: htmlLinks(doc),
    ids,
    scan: scanPage(url, doc, literals),
    headlines: els.filter((el) => el.name === "h1").map(textOf),
    datetimes: els.filter((el) => el.name === "time").flatMap((el) => attr(el, "datetime") ?? []),
    blocks: body && blocksKey(body),
    refresh: refreshTarget(els),
    noindex: els.some((el) => el.name === "meta" && attr(el, "name")?.toLowerCase() === "robots" && /\bnoindex\b/i.test(attr(el, "content") ?? "")),
  };
}

const CODE_DIR = dirname(fileURLToPath(import.meta.url));

/** The check's code and the Markdown rendering its article facts come from. */
function codeKey(): string {
  const files = [...readdirSync(CODE_DIR).filter((name) => name.endsWith(".ts")).sort(), "../markdown.ts"];
  return sha(...files.flatMap((name) => [name, readFileSync(join(CODE_DIR, name), "utf8")]));
}

interface Kept {
  /** The check's own code: facts kept by another version of it are found anew. */
  code: string;
  /** By article content key. */
  articles: Record<string, ArticleFacts>;
  /** The archive's literal texts the page facts were found with. */
  literals: string;
  /** By page URL and content. */
  pages: Record<string, PageFacts>;
}

/**
 * Article and page facts kept between checks in `file`, by each article's
 * content and each page's URL and content: a check after a one-article
 * rebuild parses the few pages and renders the one article that changed,
 * and re-resolves every link from what was kept, which is cheap.
 */
export class PageFactsStore {
  private readonly code = codeKey();
  private readonly kept: Kept;
  private readonly articles = new Map<string, ArticleFacts>();
  private readonly pages: Record<string, PageFacts> = {};
  readonly literals: Literals;

  constructor(
    private readonly file: string | undefined,
    archive: Archive,
    reuse: boolean,
  ) {
    this.kept = (reuse && this.read()) || { code: this.code, articles: {}, literals: "", pages: {} };
    const markdown = createMarkdown();
    for (const article of archive.articles) this.articles.set(article.contentKey, this.kept.articles[article.contentKey] ?? articleFacts(article, markdown));
    this.literals = new Literals([...this.articles.values()].flatMap((facts) => facts.literals));
    if (this.kept.literals !== this.literals.key) this.kept.pages = {};
  }

  private read(): Kept | undefined {
    if (!this.file) return undefined;
    try {
      const kept = JSON.parse(readFileSync(this.file, "utf8")) as Kept;
      return kept.code === this.code ? kept : undefined;
    } catch {
      return undefined;
    }
  }

  articleFacts(article: Article): ArticleFacts {
    return this.articles.get(article.contentKey)!;
  }

  factsOf(url: string, source: string): PageFacts {
    const key = sha(url, source);
    return (this.pages[key] = this.kept.pages[key] ?? this.pages[key] ?? factsOf(url, source, this.literals));
  }

  /** Keep the facts of this check's articles and pages, and only those, for the next one. */
  save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const kept: Kept = { code: this.code, articles: Object.fromEntries(this.articles), literals: this.literals.key, pages: this.pages };
    writeFileSync(`${this.file}.new`, JSON.stringify(kept));
    renameSync(`${this.file}.new`, this.file);
  }
}
