import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { LINKED_FIELDS, loadArchive, sitemapFiles, type Article } from "../src/archive.js";
import { codeFingerprint, parserFingerprint, planBuild, type RenderSelection } from "../src/plan.js";
import { runsOf, writersFor } from "../src/runs.js";
import { siteMetadata } from "../src/site.js";
import { commitPages, outputFor, recover, siteFiles } from "../src/output.js";
import { STAMP_FILE } from "../src/stamp.js";
import { articlesWith, buildSite, CHILDCARE, fileHashes, PROJECT, rawExport, readPage, runCli, tempDir, type BuildRun } from "./helpers.js";

// The summary line, then what became of URLs published before and whether the ledger recorded new ones.
const SUMMARY = /^Built (\d+) pages of (\d+) articles into .* in [\d.]+ s(?: \((\d+) written, (\d+) unchanged\))?\n(?:Published URLs no article has now: .*\n)?(?:New article URLs recorded in .*\n)?$/;

function counts(run: BuildRun): { pages: number; written: number } {
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const m = SUMMARY.exec(run.stdout);
  expect(m, run.stdout).not.toBeNull();
  return { pages: Number(m![1]), written: m![3] === undefined ? Number(m![1]) : Number(m![3]) };
}

/** Fifty articles in one section over a few months, so that one change reaches only some pages. */
function manyArticles(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < 50; i++) {
    const day = String((i % 28) + 1).padStart(2, "0");
    const month = String((i % 5) + 1).padStart(2, "0");
    files[`many-${i}.txt`] = rawExport({
      section: "Biz updates",
      headline: `Harbin business story number ${i}`,
      date: `2022-${month}-${day}`,
      paragraphs: [`Paragraph one of story ${i}.`, `Paragraph two of story ${i}.`],
    });
  }
  return files;
}

/** The incremental build of `articles` into an output that held the site of before, against a full build of `articles` alone. */
function expectSameAsFullBuild(articles: string, out: string): number {
  const incremental = counts(buildSite(articles, {}, out));
  const full = buildSite(articles, {}, join(tempDir("full-"), "_site"));
  expect(counts(full).written).toBe(counts(full).pages);
  expect(fileHashes(out)).toEqual(fileHashes(full.out));
  return incremental.written;
}

/** Each search shard's index as the identity of its entry file: a shard indexed anew gets a new file. */
function indexFiles(out: string): Record<string, string> {
  const shards = readdirSync(join(out, "pagefind")).sort();
  return Object.fromEntries(shards.map((shard) => [shard, String(statSync(join(out, "pagefind", shard, "pagefind-entry.json")).ino)]));
}

describe("the code and parser fingerprints", () => {
  it("changes with the code and templates that shape pages, not with the check's", () => {
    const project = tempDir("fingerprint-");
    for (const part of ["src", "templates", "content", ".eleventy.ts", "package-lock.json"]) cpSync(join(PROJECT, part), join(project, part), { recursive: true });
    const before = codeFingerprint(project);
    const parserBefore = parserFingerprint(project);
    appendFileSync(join(project, "src", "check", "links.ts"), "\n// a comment\n");
    expect(codeFingerprint(project)).toBe(before);
    appendFileSync(join(project, "templates", "layouts", "article.njk"), "\n");
    appendFileSync(join(project, "content", "search.njk"), "\n");
    expect(codeFingerprint(project)).not.toBe(before);
    // A template shapes pages, not parses: the saved parses stay good.
    expect(parserFingerprint(project)).toBe(parserBefore);
    const templated = codeFingerprint(project);
    appendFileSync(join(project, "src", "urls.ts"), "\n// a comment\n");
    expect(codeFingerprint(project)).not.toBe(templated);
    expect(parserFingerprint(project)).not.toBe(parserBefore);
  });
});

describe("incremental builds", () => {
  it("write only the pages a change reaches, and give the same site as a full build", () => {
    const articles = articlesWith(manyArticles());
    const out = join(tempDir("incremental-"), "_site");
    const first = counts(buildSite(articles, {}, out));
    expect(first.written).toBe(first.pages);

    // Nothing changed: only the one-off pages (home, archive index, sitemap…) are written again.
    const again = counts(buildSite(articles, {}, out));
    expect(again.pages).toBe(first.pages);
    expect(again.written).toBeLessThan(first.pages / 5);

    // A new article in a new section: its pages, its archives, every page's navigation.
    writeFileSync(join(articles, "culture.txt"), rawExport({ section: "Culture", headline: "Ice festival opens", date: "2022-01-05", paragraphs: ["Sculptures."] }));
    expect(expectSameAsFullBuild(articles, out)).toBeGreaterThan(first.pages / 2);

    // A new article in an existing section: far fewer pages than the whole site, and the search index of its year alone made again.
    const before = indexFiles(out);
    writeFileSync(join(articles, "later.txt"), rawExport({ section: "Biz updates", headline: "A later business story", date: "2022-02-10", paragraphs: ["Later."] }));
    expect(expectSameAsFullBuild(articles, out)).toBeLessThan(first.pages / 2);
    const after = indexFiles(out);
    expect(Object.keys(after)).toEqual(["2020", "2021", "2022", "2023-04"]);
    for (const shard of ["2020", "2021", "2023-04"]) expect(after[shard], shard).toBe(before[shard]);
    expect(after["2022"]).not.toBe(before["2022"]);

    // A new article of the newest month, as most are: that month's index alone is made again.
    writeFileSync(join(articles, "newest.txt"), rawExport({ section: "Biz updates", headline: "The newest business story", date: "2023-04-28", paragraphs: ["Newest."] }));
    expectSameAsFullBuild(articles, out);
    const newest = indexFiles(out);
    expect(Object.keys(newest)).toEqual(Object.keys(after));
    for (const shard of ["2020", "2021", "2022"]) expect(newest[shard], shard).toBe(after[shard]);
    expect(newest["2023-04"]).not.toBe(after["2023-04"]);

    // The article a seed's teaser names arrives: the seed's page now links to it, though the seed's file did not change.
    writeFileSync(join(articles, "childcare.txt"), CHILDCARE);
    const teasing = loadArchive(articles).articles.find((a) => a.teaser?.headline === "Harbin ramps up childcare services")!;
    expect(readPage(out, teasing.url)).not.toContain(`href="${teasing.teaserUrl}"`);
    expectSameAsFullBuild(articles, out);
    expect(readPage(out, teasing.url)).toContain(`href="${teasing.teaserUrl}"`);

    // An edited paragraph, a changed headline (a new URL), a deleted article.
    const edited = join(articles, "many-3.txt");
    writeFileSync(edited, readFileSync(edited, "utf8").replace("Paragraph two of story 3.", "Paragraph two, corrected."));
    const renamed = join(articles, "many-4.txt");
    writeFileSync(renamed, readFileSync(renamed, "utf8").replace("story number 4", "story number four"));
    rmSync(join(articles, "many-5.txt"));
    expect(expectSameAsFullBuild(articles, out)).toBeLessThan(first.pages / 2);

    // A page deleted from the output by hand is written again.
    rmSync(join(out, "2022"), { recursive: true });
    expectSameAsFullBuild(articles, out);
  });

  it("fingerprint an article by its file's content and the fields that come from other articles, which are all that change", () => {
    const before = loadArchive(articlesWith(manyArticles()));
    const after = loadArchive(articlesWith({ ...manyArticles(), "childcare.txt": CHILDCARE }));
    const own = (article: Article) => {
      const fields: Partial<Article> = { ...article };
      for (const field of [...LINKED_FIELDS, "file"] as const) delete fields[field];
      return fields;
    };
    let relinked = 0;
    for (const article of before.articles) {
      const same = after.articles.find((a) => a.contentKey === article.contentKey)!;
      expect(own(same)).toEqual(own(article));
      if (LINKED_FIELDS.some((field) => JSON.stringify(same[field]) !== JSON.stringify(article[field]))) relinked++;
    }
    // Seeds 000 and 001, whose teasers now link, one of them also the new article's neighbour.
    expect(relinked).toBe(2);
  });

  it("give the same site written by several worker processes as by one", () => {
    const articles = articlesWith(manyArticles());
    const one = runCli("build.ts", ["--articles", articles, "--out", join(tempDir("one-"), "_site"), "--workers", "1", "--pages-per-run", "9"]);
    const out = join(tempDir("workers-"), "_site");
    const three = runCli("build.ts", ["--articles", articles, "--out", out, "--workers", "3", "--pages-per-run", "9"]);
    expect(three.stderr).toBe("");
    expect(three.status).toBe(0);
    // The first build recorded the archive's URLs in its ledger, which the second found there.
    const summary = (stdout: string) => stdout.split("\n")[0];
    expect(summary(three.stdout)).toBe(summary(one.stdout).replace(/into .* in [\d.]+ s/, `into ${out} in ${/in ([\d.]+) s/.exec(three.stdout)![1]} s`));
    expect(fileHashes(out)).toEqual(fileHashes(join(one.stdout.match(/into (.*) in /)![1])));
  });

  it("write a small build in this process alone and a large one on every core", () => {
    const archive = loadArchive(articlesWith(manyArticles()));
    const { selection } = planBuild(archive, siteMetadata({}), "code", { search: false, live: tempDir("live-"), previous: undefined });
    expect(writersFor(selection, 8)).toBe(1);
    expect(runsOf(selection, 1)).toHaveLength(1);
    // Five thousand pages to write, the first article standing for the rest.
    const large = { ...selection, articles: Array.from({ length: 5000 }, () => selection.articles[0]) };
    expect(writersFor(large, 8)).toBe(8);
    expect(runsOf(large, 8).length).toBeGreaterThanOrEqual(8);
  });

  it("write the one-off pages, feeds, redirects and sitemap files once: with the pages of a single run, or apart from those of many", () => {
    const archive = loadArchive(articlesWith(manyArticles()));
    const { selection: planned } = planBuild(archive, siteMetadata({}), "code", { search: false, live: tempDir("live-"), previous: undefined });
    // Too few articles for an index of sitemap files: their entries, shared out as a large site's would be.
    const { parts } = sitemapFiles(archive.articles.map((a) => ({ url: a.url, lastmod: null })), 2);
    const selection = { ...planned, sitemapParts: parts };
    const pages = (run: RenderSelection) => run.articles.length + run.listPages.length;
    const [single] = runsOf(selection, 1);
    expect(single).toMatchObject({ once: true, feeds: selection.feeds, redirects: selection.redirects, sitemapParts: parts });
    expect(pages(single)).toBe(pages(selection));
    const runs = runsOf(selection, 1, 7);
    const none = { articles: [], listPages: [], feeds: [], redirects: [], sitemapParts: [], once: false };
    expect(runs.slice(0, 1 + parts.length)).toEqual([
      { ...none, feeds: selection.feeds, redirects: selection.redirects, once: true },
      ...parts.map((part) => ({ ...none, sitemapParts: [part] })),
    ]);
    const rest = runs.slice(1 + parts.length);
    expect(rest.every((run) => !run.once && run.feeds.length === 0 && run.redirects.length === 0 && run.sitemapParts.length === 0 && pages(run) <= 7)).toBe(true);
    expect(rest.flatMap((run) => [...run.articles, ...run.listPages].map((page) => page.url))).toEqual([...selection.articles, ...selection.listPages].map((page) => page.url));
  });

  it("give the same site in many small Eleventy runs as in one", () => {
    const articles = articlesWith(manyArticles());
    const one = buildSite(articles);
    const out = join(tempDir("many-runs-"), "_site");
    const small = runCli("build.ts", ["--articles", articles, "--out", out, "--pages-per-run", "7"]);
    expect(counts({ out, status: small.status, stdout: small.stdout, stderr: small.stderr }).pages).toBe(counts(one).pages);
    expect(fileHashes(out)).toEqual(fileHashes(one.out));
  });
});

describe("an incremental build's commit", () => {
  function write(dir: string, files: Record<string, string>): void {
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    }
  }

  /** A live site and a staged update of it, each with its stamp. */
  function siteAndUpdate() {
    const output = outputFor(join(tempDir("commit-"), "_site"));
    write(output.live, { [STAMP_FILE]: "old", "a/index.html": "old a", "b/index.html": "old b", "z/index.html": "old z", "pagefind/2019/old.pf": "old index" });
    write(output.staging, { [STAMP_FILE]: "new", "a/index.html": "new a", "c/d/index.html": "new c", "z/index.html": "new z", "pagefind/2019/new.pf": "new index" });
    return { output, files: [STAMP_FILE, "a/index.html", "c/d/index.html", "pagefind/2019/new.pf", "z/index.html"], removed: ["b/index.html", "pagefind/2019/old.pf"] };
  }

  it("stopped by a folder it cannot write says the site is partly updated, and the next build finishes it", () => {
    const { output, files, removed } = siteAndUpdate();
    if (spawnSync("chattr", ["+i", join(output.live, "z")]).status !== 0) {
      if (process.env.CI === "true") throw new Error("CI must be able to make a folder immutable with chattr");
      console.warn("skipped: this machine cannot make a folder immutable with chattr");
      return;
    }
    try {
      expect(() => commitPages(output, files, removed, () => {})).toThrow(/z\/index\.html: .*operation not permitted.*partly updated \(4 of 5 changed files in place\): the next build finishes the update/);
      expect(readFileSync(join(output.live, "a/index.html"), "utf8")).toBe("new a");
    } finally {
      spawnSync("chattr", ["-i", join(output.live, "z")]);
    }
    expect(recover(output)).toEqual({ mixed: false });
    expect(siteFiles(output.live)).toEqual([STAMP_FILE, "a/index.html", "c/d/index.html", "pagefind/2019/new.pf", "z/index.html"]);
    expect(readFileSync(join(output.live, "z/index.html"), "utf8")).toBe("new z");
    expect(readFileSync(join(output.live, "pagefind/2019/new.pf"), "utf8")).toBe("new index");
    expect(existsSync(join(output.live, "pagefind/2019/old.pf"))).toBe(false);
    expect(existsSync(output.staging) || existsSync(output.journal)).toBe(false);
  });

  it("is never applied to a site it was not written for", () => {
    const { output, files, removed } = siteAndUpdate();
    writeFileSync(output.journal, JSON.stringify({ version: 3, files, removed, stamps: ["1:2", "3:4"] }));
    expect(recover(output)).toEqual({ mixed: true });
    expect(readFileSync(join(output.live, "a/index.html"), "utf8")).toBe("old a");
    expect(existsSync(output.staging) || existsSync(output.journal)).toBe(false);
  });
});
