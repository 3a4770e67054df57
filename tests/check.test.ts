import { spawn } from "node:child_process";
import { cpSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadArchive, type Article } from "../src/archive.js";
import { resolveLink, srcsetUrls } from "../src/check/links.js";
import type { CheckResult } from "../src/check/index.js";
import { ARTICLES_DIR } from "../src/load.js";
import { createMarkdown } from "../src/markdown.js";
import { siteMetadata } from "../src/site.js";
import { STAMP_FILE } from "../src/stamp.js";
import { outputPath, SITEMAP_URL } from "../src/urls.js";
import { articlesWith, buildSite, literal, PROJECT, readPage, runCli, SEED_FILES, seedText, tempDir, type BuildRun } from "./helpers.js";

const archive = loadArchive(join(PROJECT, ARTICLES_DIR));
const SITE_URL = siteMetadata({}).url;

function check(dir: string, ...args: string[]) {
  return runCli("check.ts", [dir, ...args]);
}

function checkJson(dir: string, env: Record<string, string> = {}, ...args: string[]): { status: number | null; report: CheckResult; stderr: string } {
  const run = runCli("check.ts", [dir, "--json", ...args], env);
  return { status: run.status, report: JSON.parse(run.stdout) as CheckResult, stderr: run.stderr };
}

/** Replace the first occurrence of `find` in the file serving `url`, failing loudly if it is not there. */
function edit(dir: string, url: string, find: string, replace: string): void {
  const html = readPage(dir, url);
  if (!html.includes(find)) throw new Error(`${url} has no ${JSON.stringify(find)}`);
  writeFileSync(join(dir, outputPath(url)), html.replace(find, replace));
}

/** A change to an article's first body paragraph, `<p>` and all, as the page has it (its text alone is in the JSON-LD too). */
function inFirstParagraph(article: Article, change: (paragraph: string) => string): (dir: string) => void {
  const paragraph = /<p>.*?<\/p>/s.exec(createMarkdown().render(article.body))![0];
  return (dir) => edit(dir, article.url, paragraph, change(paragraph));
}

describe("npm run check", () => {
  let site: BuildRun;
  // The article the faults are planted in, and another one to link to.
  const [article, other] = archive.articles;

  beforeAll(() => {
    site = buildSite();
    expect(site.status, site.stderr).toBe(0);
  });

  /** A fresh copy of the built site. */
  function copy(): string {
    const dir = join(tempDir("check-"), "_site");
    cpSync(site.out, dir, { recursive: true });
    return dir;
  }

  it("passes the clean seed build, with the feeds, sitemap and search page it checks", () => {
    for (const url of [SITEMAP_URL, ...archive.feeds.map((f) => f.url), "/search/"]) expect(existsSync(join(site.out, outputPath(url))), url).toBe(true);
    const run = check(site.out);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/^✔ no problems: \d+ pages/m);
    expect(run.status).toBe(0);
  });

  it("prints one JSON document with --json", () => {
    const { status, report } = checkJson(site.out);
    expect(status).toBe(0);
    expect(report.problems).toEqual([]);
    expect(report.summary.articles).toBe(archive.articles.length);
    expect(report.summary.pages).toBeGreaterThanOrEqual(archive.articles.length + archive.listPages.length);
    expect(report.summary.internalLinks).toBeGreaterThan(0);
    expect(report.summary.externalChecked).toBe(false);
  });

  const faults: { name: string; rule: string; page: string; plant: (dir: string) => void }[] = [
    {
      name: "a broken internal link",
      rule: "link",
      page: article.url,
      plant: (dir) => edit(dir, article.url, "</h1>", `</h1><p><a href="/no-such-page/">gone</a></p>`),
    },
    {
      name: "a missing #fragment",
      rule: "fragment",
      page: article.url,
      plant: (dir) => edit(dir, article.url, "</h1>", `</h1><p><a href="${other.url}#no-such-id">there</a></p>`),
    },
    {
      name: "invalid HTML (a duplicate id)",
      rule: "html/no-dup-id",
      page: article.url,
      plant: (dir) => edit(dir, article.url, "</h1>", `</h1><p id="main">again</p>`),
    },
    {
      name: "invalid HTML (an unclosed element)",
      rule: "html/close-order",
      page: article.url,
      plant: (dir) => edit(dir, article.url, "</main>", `<section><div></section></main>`),
    },
    {
      name: "an article dropped from its month archive",
      rule: "listed",
      page: article.monthUrl,
      plant: (dir) => {
        const html = readPage(dir, article.monthUrl);
        const at = html.indexOf(`href="${article.url}"`);
        // The whole line of the item, so that no trailing white space is left for html-validate to report.
        const start = html.lastIndexOf("\n", html.lastIndexOf("<li", at));
        const end = html.indexOf("</li>", at) + "</li>".length;
        if (at < 0 || start < 0) throw new Error(`${article.monthUrl} does not list ${article.url}`);
        writeFileSync(join(dir, outputPath(article.monthUrl)), html.slice(0, start) + html.slice(end));
      },
    },
    {
      name: "an article dropped from the sitemap",
      rule: "listed",
      page: SITEMAP_URL,
      plant: (dir) => edit(dir, SITEMAP_URL, `<loc>${SITE_URL}${article.url}</loc>`, `<loc>${SITE_URL}/</loc>`),
    },
    {
      name: "a no-break space in a paragraph",
      rule: "nbsp",
      page: article.url,
      plant: inFirstParagraph(article, (p) => p.replace(" ", "\u00a0")),
    },
    {
      name: "leaked Markdown in a paragraph",
      rule: "markdown",
      page: article.url,
      plant: inFirstParagraph(article, (p) => p.replace(/^<p>(\S+)/, "<p>**$1**")),
    },
    {
      name: "a body paragraph not as written",
      rule: "paragraph",
      page: article.url,
      plant: inFirstParagraph(article, (p) => p.replace(/^<p>\S+/, "<p>Elsewhere")),
    },
    {
      name: "mojibake in a paragraph",
      rule: "mojibake",
      page: article.url,
      plant: inFirstParagraph(article, (p) => p.replace(" ", " cafÃ© ")),
    },
    {
      name: "an article page deleted",
      rule: "article-page",
      page: article.url,
      plant: (dir) => rmSync(join(dir, outputPath(article.url))),
    },
    {
      name: "a leftover page no record explains",
      rule: "leftover-page",
      page: "/2001/01/01/no-such-article/",
      plant: (dir) => {
        const file = join(dir, outputPath("/2001/01/01/no-such-article/"));
        cpSync(dirname(join(dir, outputPath(article.url))), dirname(file), { recursive: true });
      },
    },
    {
      name: "an <img onerror> inserted",
      rule: "event-handler",
      page: article.url,
      plant: (dir) => edit(dir, article.url, "</h1>", `</h1><img src="data:," onerror="alert(1)" alt="">`),
    },
    {
      name: "a script inserted",
      rule: "script",
      page: article.url,
      plant: (dir) => edit(dir, article.url, "</h1>", `</h1><script>alert(1)</script>`),
    },
  ];

  it.each(faults)("fails on $name, naming the page and rule $rule", ({ rule, page, plant }) => {
    const dir = copy();
    plant(dir);
    const { status, report, stderr } = checkJson(dir);
    expect(stderr).toBe("");
    expect(status).toBe(1);
    expect(report.problems, JSON.stringify(report.problems, null, 2)).toContainEqual(expect.objectContaining({ page, rule }));
    expect(report.summary.problems).toBe(report.problems.length);
  });

  it.each(["html/no-dup-id", "link", "fragment", "listed", "paragraph", "markdown", "script"])(
    "after a change, reports exactly what a full check reports, a page broken by hand (%s) included",
    (rule) => {
      const dir = copy();
      expect(checkJson(dir).status).toBe(0);
      // Broken after the last check, with nothing else changed: its findings cannot come from what was kept.
      const fault = faults.find((f) => f.rule === rule)!;
      fault.plant(dir);
      const again = checkJson(dir);
      const full = checkJson(dir, {}, "--full");
      expect(again.status).toBe(1);
      expect(again.report.problems).toContainEqual(expect.objectContaining({ rule }));
      expect(again.report.problems).toEqual(full.report.problems);
      expect(again.report.summary).toEqual(full.report.summary);
    },
  );

  it("groups the human report by page, with the rule under it, and a summary line", () => {
    const dir = copy();
    faults.find((f) => f.name.includes("month archive"))!.plant(dir);
    const run = check(dir);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^${literal(article.monthUrl)}\\n  listed +expected a page of the month archive \\(1 page\\(s\\)\\) to list ${literal(article.url)}`, "m"));
    expect(run.stdout).toMatch(/^✖ 1 problem on 1 page \(listed: 1\)/m);
  });

  it("takes the base URL from the site it checks, not from SITE_URL", () => {
    const elsewhere = buildSite(undefined, { SITE_URL: "https://news.example.com" });
    expect(elsewhere.status, elsewhere.stderr).toBe(0);
    const { status, report } = checkJson(elsewhere.out);
    expect(report.problems).toEqual([]);
    expect(status).toBe(0);
    expect(checkJson(site.out, { SITE_URL: "https://news.example.com" }).status).toBe(0);
  });

  it("takes absolute URLs under the site's base URL as internal, and no other", () => {
    // A site this tool did not stamp is checked against SITE_URL.
    const dir = copy();
    rmSync(join(dir, STAMP_FILE));
    const { status, report } = checkJson(dir, { SITE_URL: "https://elsewhere.example.org" });
    expect(status).toBe(1);
    expect(report.problems).toContainEqual(expect.objectContaining({ page: article.url, rule: "canonical" }));
    expect(report.external.map((e) => e.url)).toContain(`${SITE_URL}${article.url}`);
  });

  it("lists external links without fetching them, and fetches them with --external", async () => {
    // A server on the loopback address stands in for the outside world: /ok answers 200, anything else 404.
    const server = spawn(process.execPath, ["-e", `require("node:http").createServer((q, s) => { s.statusCode = q.url === "/ok" ? 200 : 404; s.end(); }).listen(0, "127.0.0.1", function () { console.log(this.address().port); })`]);
    try {
      const port = await new Promise<string>((done) => server.stdout.once("data", (data: Buffer) => done(data.toString().trim())));
      const dir = copy();
      edit(dir, article.url, "</h1>", `</h1><p><a href="http://127.0.0.1:${port}/ok">up</a> <a href="http://127.0.0.1:${port}/gone">down</a></p>`);
      const offline = check(dir, "--external-list");
      expect(offline.status).toBe(0);
      expect(offline.stdout).toContain(`http://127.0.0.1:${port}/gone  <- ${article.url}`);
      expect(offline.stdout).toMatch(/2 external links \(not fetched\)/);
      const { status, report } = checkJson(dir, {}, "--external");
      expect(status).toBe(1);
      expect(report.problems).toEqual([{ page: article.url, rule: "external-link", message: `expected http://127.0.0.1:${port}/gone to answer, found HTTP 404` }]);
      expect(report.summary.externalChecked).toBe(true);
    } finally {
      server.kill();
    }
  });

  it.each([
    ["an unknown flag", ["--no-such-flag"]],
    ["a missing site folder", [join(tempDir("check-"), "nothing-here")]],
    ["two site folders", ["_site", "other"]],
    ["a missing articles folder", ["--articles", join(tempDir("check-"), "none")]],
  ])("exits 2 on %s", (_, args) => {
    const run = runCli("check.ts", args);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/usage: npm run check/);
    expect(run.stdout).toBe("");
  });
});

describe("articles whose text looks like Markdown", () => {
  it("pass: their text is rendered literally, which is no leak", () => {
    const seed = seedText(SEED_FILES[0]);
    const headline = seed.split("\n")[2];
    const text = seed
      .replace(headline, "Python __init__ and C** [notes](here)")
      .replace("Harbin, capital of", "**Bold** claims, __init__ and [a](b): Harbin, capital of")
      .replace("Known as a", "# Not a heading\nKnown as a");
    const articles = articlesWith({ "literal.txt": text });
    const site = buildSite(articles);
    expect(site.status, site.stderr).toBe(0);
    expect(readPage(site.out, "/")).toContain("Python __init__ and C** [notes](here)");
    const run = runCli("check.ts", [site.out, "--articles", articles, "--json"]);
    expect(JSON.parse(run.stdout).problems).toEqual([]);
    expect(run.status).toBe(0);
  });
});

describe("a hand-written record whose body is real Markdown", () => {
  it("builds and passes: the check compares what its Markdown renders to", () => {
    const record = [
      "---",
      "section: Biz updates",
      "date: 2023-06-01",
      "headline: Five steps to a trade licence",
      "source: e.my399.com",
      "---",
      "The steps, in order:",
      "",
      "1. one",
      "2. two",
      "",
      "# The fine print",
      "",
      "Some *emphasis*, a [link](/archive/) and `code`.",
      "",
    ].join("\n");
    const articles = articlesWith({ "steps.md": record });
    const built = buildSite(articles);
    expect(built.status, built.stderr).toBe(0);
    const page = readPage(built.out, "/2023/06/01/five-steps-to-a-trade-licence/");
    expect(page).toMatch(/<ol>\s*<li>one<\/li>/);
    // The headline is the page's one <h1>: a heading of the body ranks below it.
    expect(page).toContain("<h2>The fine print</h2>");
    const run = runCli("check.ts", [built.out, "--articles", articles, "--json"]);
    expect(JSON.parse(run.stdout).problems).toEqual([]);
    expect(run.status).toBe(0);
  });
});

describe("link resolution", () => {
  it("resolves relative, root-relative and site-absolute links to site paths", () => {
    expect(resolveLink("../b/#x", "/2021/08/", SITE_URL)).toEqual({ kind: "internal", path: "/2021/b/", fragment: "x" });
    expect(resolveLink(`${SITE_URL}/feed.xml`, "/", SITE_URL)).toEqual({ kind: "internal", path: "/feed.xml", fragment: "" });
    expect(resolveLink("/caf%C3%A9/", "/", SITE_URL)).toEqual({ kind: "internal", path: "/café/", fragment: "" });
    expect(resolveLink(`${SITE_URL}.evil.example/`, "/", SITE_URL)).toMatchObject({ kind: "external" });
    expect(resolveLink("javascript:alert(1)", "/", SITE_URL)).toEqual({ kind: "script" });
    expect(resolveLink("mailto:a@b.example", "/", SITE_URL)).toEqual({ kind: "other" });
  });

  it("reads every URL of a srcset", () => {
    expect(srcsetUrls("a.jpg 1x, /b.jpg 2x")).toEqual(["a.jpg", "/b.jpg"]);
    expect(srcsetUrls("a.jpg,b.jpg 480w")).toEqual(["a.jpg,b.jpg"]);
    expect(srcsetUrls("a.jpg, b.jpg")).toEqual(["a.jpg", "b.jpg"]);
  });
});
