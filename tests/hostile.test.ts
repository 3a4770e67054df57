import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { DomUtils, parseDocument } from "htmlparser2";
import type { Document, Element } from "domhandler";
import { describe, expect, it } from "vitest";
import { FEED_SIZE, FRONT_LATEST } from "../src/archive.js";
import { readRecord, writeRecord } from "../src/frontmatter.js";
import { parseFile } from "../src/load.js";
import { parseExport } from "../src/parse.js";
import { FEED_URL, articleUrl, headlineSlug, sectionSlug, sectionUrl } from "../src/urls.js";
import { SEED_FILES, articlesWith, buildSite, readPage, seedText, tempDir, type BuildRun } from "./helpers.js";

/** Text that must stay text: markup, script, template code and YAML that would retype it. */
const HOSTILE = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "javascript:alert(1)",
  "[click me](javascript:alert(1))",
  '<a href="javascript:alert(1)" onclick="alert(1)">link</a>',
  "<svg onload=alert(1)>",
  "{{ 7*7 }}",
  "{% raw %}",
  '{% include "x" %}',
  "{{ site.title }} {# comment #} {%- endraw %}",
  "${7*7} #{7*7} <%= 7*7 %>",
  "yes",
  "null",
  "2021-01-01",
  "key: value",
  "- item",
  "# Not a heading *em* _under_ `code` ~~strike~~ | a | b |",
  "1. Not a list",
  "> Not a quote",
  "&amp; &lt;b&gt; &#x41; &copy;",
  "[ref]: http://example.org",
  "Harbin 哈尔滨 冰雪大世界 日本語のテキスト",
  "Харбин — столица провинции Хэйлунцзян",
  "هاربين عاصمة مقاطعة هيلونغجيانغ",
  "Emoji 😀 👩‍👩‍👧 🇨🇳 ❄️",
  "Zero\u200bwidth\u200cnon\u200djoiner\u2060word\ufeffmark",
  "?!… — «»",
  "***",
];

const OPENING = "An ordinary opening paragraph.";
/** Body lines of every hostile article, in order: each becomes one paragraph. */
const BODY = [OPENING, ...HOSTILE, "---", "title: x", "---js", "{{ 7*7 }}"];

/** Section names are text too; an export's breadcrumb cannot hold `>`. */
const SECTIONS = ["Harbin Today", "{{ 7*7 }}", "<b onclick=alert(1)", "javascript:alert(1)", "Новости", "yes"];

function exportText(headline: string, date: string, section = SECTIONS[0]): string {
  return [`Home>${section}`, headline, `Updated : ${date}`, "By ( test )", "", ...BODY, ""].join("\n");
}

/** One article per hostile text, as its headline, each on its own day, in turn in each section. */
const ARTICLES = HOSTILE.map((headline, i) => {
  const day = new Date(Date.UTC(2022, 0, 1 + i)).toISOString().slice(0, 10);
  return { headline, date: day, section: SECTIONS[i % SECTIONS.length], file: `hostile-${String(i).padStart(2, "0")}.txt` };
});

let built: BuildRun | undefined;
/** The site of the hostile articles, built once for the tests that read it. */
function hostileSite(): BuildRun {
  built ??= buildSite(articlesWith(Object.fromEntries(ARTICLES.map((a) => [a.file, exportText(a.headline, a.date, a.section)])), false));
  return built;
}

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".html"))
    .map((entry) => join(entry.parentPath, entry.name));
}

function elements(doc: Document, test: (el: Element) => boolean): Element[] {
  return DomUtils.findAll(test, doc.children);
}

function byClass(doc: Document, name: string): Element[] {
  return elements(doc, (el) => (el.attribs.class ?? "").split(/\s+/).includes(name));
}

const PAYLOAD = /alert\(1\)|7\*7/;

/**
 * Scripts, event handlers and `javascript:` URLs: whatever could run in a
 * reader's browser. On article pages only JSON-LD and the site's own script
 * files may be scripts; on other pages (search) a script must not carry any
 * article text's payload.
 */
function executable(doc: Document, isArticle: boolean): string[] {
  const found: string[] = [];
  for (const el of elements(doc, () => true)) {
    const isData = el.attribs.type === "application/ld+json";
    const isSiteFile = (el.attribs.src ?? "").startsWith("/") && !DomUtils.textContent(el).trim();
    if (el.name === "script" && !isData && !isSiteFile && (isArticle || PAYLOAD.test(DomUtils.textContent(el)))) found.push(DomUtils.getOuterHTML(el));
    for (const [name, value] of Object.entries(el.attribs)) {
      if (/^on/i.test(name)) found.push(`${el.name} ${name}`);
      if (/^(href|src|action|formaction|xlink:href)$/i.test(name) && /^\s*(javascript|vbscript|data):/i.test(value)) found.push(`${el.name} ${name}=${value}`);
    }
    // Elements article text could only bring in as markup; the site's own images would be site-relative.
    if (["iframe", "object", "embed", "svg", "math", "base"].includes(el.name) || (el.name === "img" && !(el.attribs.src ?? "").startsWith("/"))) {
      found.push(DomUtils.getOuterHTML(el));
    }
  }
  return found;
}

describe("hostile and odd text", () => {
  const site = hostileSite();

  it("builds", () => {
    expect(site.stderr).toBe("");
    expect(site.status).toBe(0);
  });

  it("gets a non-empty, URL-safe slug for every headline, the one the site uses", () => {
    // Stable too: the pages below are found where this process computes their URLs.
    for (const { headline } of ARTICLES) expect(headlineSlug(headline)).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(sectionSlug("哈尔滨")).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    const urls = new Set(ARTICLES.map((a) => articleUrl(a)));
    expect(urls.size).toBe(ARTICLES.length);
  });

  it.each(ARTICLES)("renders $file literally: headline and every paragraph as written, nothing executable", ({ headline, date, section }) => {
    const doc = parseDocument(readPage(site.out, articleUrl({ headline, date })));
    expect(executable(doc, true)).toEqual([]);
    const crumbs = byClass(doc, "breadcrumb").flatMap((nav) => elements(nav as unknown as Document, (el) => el.name === "li").map((li) => DomUtils.textContent(li).trim()));
    expect(crumbs).toEqual(["Home", section, headline]);
    const h1 = elements(doc, (el) => el.name === "h1");
    expect(h1.map((el) => DomUtils.textContent(el))).toEqual([headline]);
    const title = elements(doc, (el) => el.name === "title")[0];
    expect(DomUtils.textContent(title).startsWith(`${headline} | `)).toBe(true);
    const [body] = byClass(doc, "body");
    const paragraphs = elements(body as unknown as Document, (el) => el.name === "p").map((p) => DomUtils.textContent(p));
    expect(paragraphs).toEqual(BODY);
    // The template code stayed text: nothing computed 7*7 or took `title: x` for front matter.
    expect(DomUtils.textContent(body)).not.toContain("49");
    expect(elements(body as unknown as Document, (el) => el.name !== "p")).toEqual([]);
    for (const script of elements(doc, (el) => el.attribs.type === "application/ld+json")) {
      const data = JSON.parse(DomUtils.textContent(script)) as Record<string, unknown>;
      expect(JSON.stringify(data)).toContain(JSON.stringify(headline).slice(1, -1));
    }
  });

  it("names each section as written on its page and in the section navigation", () => {
    for (const section of SECTIONS) {
      const doc = parseDocument(readPage(site.out, sectionUrl(section)));
      expect(elements(doc, (el) => el.name === "h1").map((el) => DomUtils.textContent(el))).toEqual([section]);
      const nav = elements(doc, (el) => el.name === "a" && el.attribs.href === sectionUrl(section)).map((el) => DomUtils.textContent(el));
      expect(nav).toContain(section);
    }
  });

  it("has no executable markup on any page, and list pages show the headlines literally", () => {
    const files = htmlFiles(site.out);
    expect(files.length).toBeGreaterThan(ARTICLES.length);
    for (const file of files) {
      expect([relative(site.out, file), executable(parseDocument(readFileSync(file, "utf8")), false)]).toEqual([relative(site.out, file), []]);
    }
    const home = parseDocument(readPage(site.out, "/"));
    const headlines = (root: unknown) => elements(root as Document, (el) => el.name === "a" && /^h[23]$/.test((el.parent as { name?: string }).name ?? "")).map((a) => DomUtils.textContent(a));
    const [lead] = byClass(home, "lead");
    const [latest] = byClass(home, "latest");
    // Newest first: the lead story, then the latest after it, each headline as written.
    expect([...headlines(lead), ...headlines(latest)]).toEqual(ARTICLES.map((a) => a.headline).reverse().slice(0, 1 + FRONT_LATEST));
  });
});

// XML 1.0's Char production: anything else makes a feed or sitemap unreadable to a strict parser.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

describe("hostile text in feeds", () => {
  const site = hostileSite();

  it("stays text: titles as written, bodies as escaped HTML whose paragraphs are the lines", () => {
    expect(site.status).toBe(0);
    const feed = readPage(site.out, FEED_URL);
    expect(feed).not.toMatch(NOT_XML_CHAR);
    const doc = parseDocument(feed, { xmlMode: true });
    const entries = elements(doc, (el) => el.name === "entry");
    expect(entries.length).toBe(Math.min(FEED_SIZE, ARTICLES.length));
    for (const entry of entries) {
      const title = DomUtils.textContent(DomUtils.findOne((el) => el.name === "title", entry.children)!);
      expect(HOSTILE).toContain(title);
      const content = DomUtils.findOne((el) => el.name === "content", entry.children)!;
      expect(content.attribs.type).toBe("html");
      expect(elements(content as unknown as Document, () => true)).toEqual([]);
      const html = parseDocument(DomUtils.textContent(content));
      expect(executable(html, true)).toEqual([]);
      expect(elements(html, (el) => el.name === "p").map((p) => DomUtils.textContent(p))).toEqual(BODY);
    }
  });
});

describe("records keep text as text", () => {
  it("keeps headlines YAML would retype as strings", () => {
    for (const headline of ["yes", "no", "null", "~", "true", "2021-01-01", "key: value", "- item", "1e3", "0x10", ".inf", "[a, b]", "{a: 1}", "&x", "*x", "!!str"]) {
      const { record } = parseExport(exportText(headline, "2022-01-01"));
      expect(record!.headline).toBe(headline);
      const back = readRecord(writeRecord(record!));
      expect(back.problems).toEqual([]);
      expect(back.record).toEqual(record);
      expect(typeof back.record!.headline).toBe("string");
    }
  });

  it("reads hand-written YAML with the JSON schema only", () => {
    const text = "---\nsection: Harbin Today\ndate: 2021-01-01\nheadline: yes\nsource: test\n---\nBody.\n";
    const { record, problems } = readRecord(text);
    // Unquoted, `yes` stays the word yes; `2021-01-01` stays text, not a Date.
    expect(problems).toEqual([]);
    expect(record!.headline).toBe("yes");
    expect(record!.date).toBe("2021-01-01");
    const tagged = readRecord('---\nsection: !!js/function "function () { globalThis.pwned = true }"\ndate: 2021-01-01\nheadline: x\nsource: y\n---\nBody.\n');
    expect(tagged.record).toBeNull();
    expect(tagged.problems[0].message).toMatch(/expected valid YAML front matter/);
    expect((globalThis as Record<string, unknown>).pwned).toBeUndefined();
  });

  it("refuses JavaScript front matter without running it, in a record and in a build", () => {
    const marker = join(tempDir(), "ran");
    const code = `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "ran"); module.exports = { section: "S", date: "2021-01-01", headline: "H", source: "s" };`;
    for (const open of ["---js", "---javascript", "--- js", "---coffee"]) {
      const text = `${open}\n${code}\n---\nBody.\n`;
      const { record, problems } = readRecord(text);
      expect(record).toBeNull();
      expect(problems).toHaveLength(1);
      expect(problems[0].line).toBe(1);
    }
    const run = buildSite(articlesWith({ "script.md": `---js\n${code}\n---\nBody.\n` }));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/script\.md:1: expected front matter starting with "---"/);
    expect(existsSync(marker)).toBe(false);
  });
});

describe("encodings and sizes", () => {
  it("reads UTF-8 with or without BOM and LF, CRLF or CR line ends alike", () => {
    const plain = buildSite(articlesWith());
    const variants = Object.fromEntries(
      SEED_FILES.map((name, i) => {
        const text = seedText(name);
        const ends = ["\r\n", "\r", "\n", "\r\n", "\r"][i];
        return [name, `${i % 2 === 0 ? "\ufeff" : ""}${text.replace(/\r?\n/g, ends)}`];
      }),
    );
    const odd = buildSite(articlesWith(variants, false));
    expect(odd.stderr).toBe("");
    expect(odd.status).toBe(0);
    expect(plain.status).toBe(0);
    for (const name of SEED_FILES) {
      const { record } = parseExport(seedText(name));
      const url = articleUrl(record!);
      expect(readPage(odd.out, url)).toBe(readPage(plain.out, url));
    }
    expect(readPage(odd.out, "/")).toBe(readPage(plain.out, "/"));
  });

  it("reads a hand-written record with BOM and CRLF as the same record", () => {
    const { record } = parseExport(seedText(SEED_FILES[1]));
    const text = writeRecord(record!);
    for (const variant of [text, `\ufeff${text}`, text.replace(/\n/g, "\r\n"), `\ufeff${text.replace(/\n/g, "\r\n")}`]) {
      const read = parseFile(Buffer.from(variant, "utf8"), "record.md");
      expect(read.problems).toEqual([]);
      expect({ ...read.record!, body: read.record!.body.replace(/\r\n/g, "\n") }).toEqual(record);
    }
  });

  it("builds a 1 MB article", () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `Paragraph ${i}: ${"Harbin ice festival news, 哈尔滨. ".repeat(6)}`.trim());
    const text = ["Home>Harbin Today", "A very long article", "Updated : 2022-02-02", "By ( test )", "", ...lines, ""].join("\n");
    expect(Buffer.byteLength(text)).toBeGreaterThan(1_000_000);
    const run = buildSite(articlesWith({ "long.txt": text }, false));
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const doc = parseDocument(readPage(run.out, articleUrl({ headline: "A very long article", date: "2022-02-02" })));
    const paragraphs = elements(byClass(doc, "body")[0] as unknown as Document, (el) => el.name === "p").map((p) => DomUtils.textContent(p));
    expect(paragraphs).toEqual(lines);
  });

  it("builds an empty archive into a site that says it is empty", () => {
    const run = buildSite(articlesWith({}, false));
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/ of 0 articles /);
    for (const url of ["/", "/archive/"]) {
      const empty = byClass(parseDocument(readPage(run.out, url)), "empty");
      expect(empty).toHaveLength(1);
      expect(DomUtils.textContent(empty[0])).toMatch(/holds no articles/);
    }
  });
});
