import sharp from "sharp";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadArchive } from "../src/archive.js";
import { articlesWith, buildSite, readPage, tempDir } from "./helpers.js";
import { testPage, testStructuredData } from "./structured-data.js";

describe("structured-data-testing-tool's Google, Twitter and Facebook presets", () => {
  it("pass on every article page of the seed site, with and without a photo", async () => {
    const photo = await sharp({ create: { width: 1400, height: 900, channels: 3, background: { r: 40, g: 90, b: 140 } } }).jpeg().toBuffer();
    const articles = articlesWith({ "002_911a0816af94599d.jpg": photo });
    const run = buildSite(articles, {}, join(tempDir("sdtt-"), "_site"));
    expect(run.status, run.stderr).toBe(0);
    const results = await testStructuredData(run.out);
    expect(results.map((r) => r.url).sort()).toEqual(loadArchive(articles).articles.map((a) => a.url).sort());
    for (const result of results) {
      expect(result.failed, result.url).toEqual([]);
      expect(result.passed, result.url).toBeGreaterThan(20);
    }
  });

  it("fail a page that lacks what they ask for", async () => {
    const articles = articlesWith();
    const run = buildSite(articles, {}, join(tempDir("sdtt-"), "_site"));
    const url = loadArchive(articles).articles[0].url;
    const html = readPage(run.out, url).replace(/<meta property="og:image"[^>]*>/, "").replace(/"image":\[[^\]]*\],/, "");
    const result = await testPage(url, html);
    expect(result.failed).toEqual(expect.arrayContaining(['"og:image" || "og:image:src"', "NewsArticle[0].image"]));
  });
});
