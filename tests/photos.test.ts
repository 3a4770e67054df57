import sharp from "sharp";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadArchive, type Archive, type Article } from "../src/archive.js";
import type { CheckResult } from "../src/check/index.js";
import { PATHS } from "../src/urls.js";
import { articlesWith, buildSite, elementsByTag, fileHashes, literal, pageDocument, rawExport, readPage, runCli, tempDir, textOf, type BuildRun } from "./helpers.js";

const PHOTO_SEED = "002_911a0816af94599d";
const ORIGIN = "https://archive.example.org";

/**
 * A JPEG (or PNG) of a pattern, with a corner of random pixels: a picture no
 * earlier run made, so that its renditions are not in the build cache yet.
 */
async function picture(width: number, height: number, tint: number, format: "jpeg" | "png" = "jpeg"): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set(x < 16 && y < 16 ? randomBytes(3) : [(x + tint) % 256, (y * 3 + tint) % 256, (x ^ y) % 256], (y * width + x) * 3);
  }
  const image = sharp(pixels, { raw: { width, height, channels: 3 } });
  return format === "png" ? image.png().toBuffer() : image.jpeg({ quality: 85 }).toBuffer();
}

function built(run: BuildRun): string {
  expect(run.stderr, run.stdout).toBe("");
  expect(run.status).toBe(0);
  return run.stdout;
}

async function dimensions(out: string, url: string): Promise<[number, number]> {
  const { width, height } = await sharp(join(out, url)).metadata();
  return [width!, height!];
}

function metaContent(doc: ReturnType<typeof pageDocument>, key: string): string | undefined {
  return elementsByTag(doc, "meta").find((m) => m.attribs.property === key || m.attribs.name === key)?.attribs.content;
}

function structuredData(doc: ReturnType<typeof pageDocument>): Record<string, unknown>[] {
  return elementsByTag(doc, "script")
    .filter((s) => s.attribs.type === "application/ld+json")
    .map((s) => JSON.parse(textOf(s)));
}

function checked(out: string, articles: string): CheckResult {
  const run = runCli("check.ts", [out, "--articles", articles, "--json", "--full"]);
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout) as CheckResult;
}

describe("a photo beside seed 002", () => {
  let articles: string;
  let out: string;
  let archive: Archive;
  let article: Article;

  beforeAll(async () => {
    articles = articlesWith({ [`${PHOTO_SEED}.jpg`]: await picture(1600, 1000, 1) });
    out = join(tempDir("photos-"), "_site");
    expect(built(buildSite(articles, {}, out))).toContain("Photos: 1 made, 0 already made");
    archive = loadArchive(articles);
    article = archive.articles.find((a) => a.id === PHOTO_SEED)!;
  });

  it("is the article's lead picture in AVIF, WebP and JPEG, every file as wide and high as the page says, with its caption and credit", async () => {
    const doc = pageDocument(out, article.url);
    const figure = elementsByTag(doc, "figure").find((f) => f.attribs.class === "photo")!;
    const sources = elementsByTag(figure, "source");
    expect(sources.map((s) => s.attribs.type)).toEqual(["image/avif", "image/webp", "image/jpeg"]);
    for (const source of sources) {
      const candidates = source.attribs.srcset.split(", ").map((c) => c.split(" "));
      expect(candidates.map(([, w]) => w)).toEqual(["320w", "640w", "960w", "1280w"]);
      for (const [url, w] of candidates) {
        const [width, height] = await dimensions(out, url);
        expect(`${width}w`, url).toBe(w);
        expect(height, url).toBe(Math.floor((width * 1000) / 1600));
      }
    }
    const [img] = elementsByTag(figure, "img");
    expect(await dimensions(out, img.attribs.src)).toEqual([Number(img.attribs.width), Number(img.attribs.height)]);
    expect(img.attribs.alt).toBe("Business representatives access services at Harbin Bank's settlement service center.");
    // The lead photo is above the fold: loaded at once, first.
    expect(img.attribs.loading).toBeUndefined();
    expect(img.attribs.fetchpriority).toBe("high");
    expect(textOf(elementsByTag(figure, "figcaption")[0])).toBe(`${article.caption} ${article.credit}`);
  });

  it("shows a lazy thumbnail on the home, section and date pages, and none for articles without a photo", () => {
    for (const url of [PATHS.home, article.sectionUrl, article.yearUrl, article.monthUrl, article.dayUrl]) {
      const items = elementsByTag(pageDocument(out, url), "li").filter((li) => elementsByTag(li, "a").some((a) => a.attribs.href === article.url && textOf(a) === article.headline));
      expect(items.length, url).toBeGreaterThan(0);
      for (const item of items) {
        const [img] = elementsByTag(item, "img");
        expect(img?.attribs.loading, url).toBe("lazy");
        expect(existsSync(join(out, img.attribs.src))).toBe(true);
      }
      const others = elementsByTag(pageDocument(out, url), "li").filter((li) => li.attribs.class !== "with-photo");
      for (const other of others) expect(elementsByTag(other, "img"), url).toEqual([]);
    }
  });

  it("is the article's social card and, cut 16:9, 4:3 and 1:1, its NewsArticle image, published by an organisation with a logo", async () => {
    const doc = pageDocument(out, article.url);
    const image = metaContent(doc, "og:image")!;
    expect(image.startsWith(`${ORIGIN}/img/`)).toBe(true);
    expect(await dimensions(out, image.slice(ORIGIN.length))).toEqual([1200, 675]);
    expect([metaContent(doc, "og:image:width"), metaContent(doc, "og:image:height")]).toEqual(["1200", "675"]);
    expect(metaContent(doc, "og:image:alt")).toBe(article.caption);
    expect(metaContent(doc, "twitter:card")).toBe("summary_large_image");
    expect(metaContent(doc, "twitter:image")).toBe(image);
    expect(metaContent(doc, "twitter:title")).toBe(article.headline);
    expect(metaContent(doc, "twitter:description")).toBe(article.summary);
    const news = structuredData(doc).find((d) => d["@type"] === "NewsArticle")!;
    const crops = await Promise.all((news.image as string[]).map((url) => dimensions(out, url.slice(ORIGIN.length))));
    expect(crops).toEqual([
      [1200, 675],
      [1200, 900],
      [1200, 1200],
    ]);
    const logo = (news.publisher as { logo: { url: string; width: number; height: number } }).logo;
    expect(await dimensions(out, logo.url.slice(ORIGIN.length))).toEqual([logo.width, logo.height]);
  });

  it("leaves the site's card to articles without a photo and to every other page, with Twitter's small card", async () => {
    const other = archive.articles.find((a) => !a.photo)!;
    for (const url of [other.url, PATHS.home, article.sectionUrl, PATHS.archive]) {
      const doc = pageDocument(out, url);
      expect(metaContent(doc, "twitter:card"), url).toBe("summary");
      expect(metaContent(doc, "og:image"), url).toBe(`${ORIGIN}${PATHS.siteCard}`);
    }
    expect(await dimensions(out, PATHS.siteCard)).toEqual([1200, 630]);
    const news = structuredData(pageDocument(out, other.url)).find((d) => d["@type"] === "NewsArticle")!;
    expect(news.image).toEqual([`${ORIGIN}${PATHS.siteCard}`]);
  });

  it("gives the home page the site's WebSite, searchable by ?q=, and its Organization", () => {
    const data = structuredData(pageDocument(out, PATHS.home));
    const website = data.find((d) => d["@type"] === "WebSite")!;
    expect(website.potentialAction).toMatchObject({ "@type": "SearchAction", target: { urlTemplate: `${ORIGIN}${PATHS.search}?q={search_term_string}` }, "query-input": "required name=search_term_string" });
    expect(data.find((d) => d["@type"] === "Organization")).toMatchObject({ url: `${ORIGIN}/`, logo: { url: `${ORIGIN}${PATHS.logo}` } });
  });

  it("goes into the feeds with its caption, as an enclosure and at the head of the entry's HTML", () => {
    const feed = readPage(out, PATHS.feed);
    const entry = [...feed.matchAll(/<entry>([\s\S]*?)<\/entry>/g)].map((m) => m[1]).find((e) => e.includes(article.url))!;
    const enclosure = /<link rel="enclosure" type="image\/jpeg" href="([^"]+)"\/>/.exec(entry)![1];
    expect(existsSync(join(out, enclosure.slice(ORIGIN.length)))).toBe(true);
    const content = /<content type="html">([\s\S]*)<\/content>/.exec(entry)![1];
    expect(content).toMatch(new RegExp(`^&lt;figure&gt;&lt;img src=&quot;${literal(ORIGIN)}/img/`));
    expect(content).toContain("settlement service center. CHINA DAILY&lt;/figcaption&gt;");
  });

  it("passes the check, which finds a missing rendition and an image without alt text", () => {
    expect(checked(out, articles).problems).toEqual([]);
    const broken = join(tempDir("photos-broken-"), "_site");
    built(buildSite(articles, {}, broken, ["--full"]));
    const page = join(broken, article.url, "index.html");
    writeFileSync(page, readFileSync(page, "utf8").replace(/ alt="Business[^"]*"/, ' alt=""'));
    const srcset = /srcset="([^ ]+) 320w/.exec(readFileSync(page, "utf8"))![1];
    rmSync(join(broken, srcset));
    const problems = checked(broken, articles).problems;
    expect(problems).toContainEqual(expect.objectContaining({ page: article.url, rule: "img-alt" }));
    expect(problems).toContainEqual(expect.objectContaining({ page: article.url, rule: "link", message: expect.stringContaining(srcset) }));
  });
});

describe("photos and the build", () => {
  it("makes only a new photo on a rebuild, and gives the same site as a full build", async () => {
    const articles = articlesWith({ [`${PHOTO_SEED}.jpg`]: await picture(1000, 800, 2) });
    const out = join(tempDir("photos-"), "_site");
    built(buildSite(articles, {}, out));
    const first = loadArchive(articles).photos[0];
    const kept = join(out, first.url, "640.avif");
    const before = statSync(kept).ino;
    // A smaller picture tops out at its own width.
    expect(readPage(out, loadArchive(articles).articles.find((a) => a.photo)!.url)).toContain(`${first.url}1000.avif 1000w"`);

    writeFileSync(join(articles, "skaters.txt"), rawExport({ section: "Harbin Today", headline: "Skaters fill the river rink", date: "2024-01-10", paragraphs: ["Skaters on the Songhua. XINHUA", "Thousands came."] }));
    writeFileSync(join(articles, "skaters.png"), await picture(800, 600, 3, "png"));
    const stdout = built(buildSite(articles, {}, out));
    expect(stdout).toMatch(/\(\d+ written, \d+ unchanged\)/);
    expect(stdout).toContain("Photos: 1 made, 1 already made");
    expect(statSync(kept).ino).toBe(before);
    const full = buildSite(articles, {}, join(tempDir("photos-full-"), "_site"), ["--full"]);
    expect(built(full)).toContain("Photos: 0 made, 2 already made");
    expect(fileHashes(out)).toEqual(fileHashes(full.out));
    const skaters = loadArchive(articles).articles.find((a) => a.headline.startsWith("Skaters"))!;
    expect(skaters.photo).toMatchObject({ width: 800, height: 600, alt: "Skaters on the Songhua." });
  });

  it("leads the front page with the lead story's photo, loaded first", async () => {
    const articles = articlesWith({ "000_52ce23d16fbdbab1.jpg": await picture(1500, 1000, 7) });
    const out = join(tempDir("photos-"), "_site");
    built(buildSite(articles, {}, out));
    const lead = elementsByTag(pageDocument(out, PATHS.home), "article").find((a) => a.attribs.class === "lead")!;
    const [img] = elementsByTag(lead, "img");
    expect(img.attribs).toMatchObject({ alt: "Harbin strives to expand opening-up", fetchpriority: "high" });
    expect(existsSync(join(out, img.attribs.src))).toBe(true);
  });

  it("takes a hand-written record's photo from its image:", async () => {
    const record = ["---", "section: Culture", "date: 2024-01-05", "headline: Ice festival opens", "source: staff", "image:", "  src: pictures/ice.jpg", "  alt: Ice sculptures lit at night", "---", "Sculptures of ice.", ""].join("\n");
    const articles = articlesWith({ "festival.md": record });
    mkdirSync(join(articles, "pictures"));
    writeFileSync(join(articles, "pictures", "ice.jpg"), await picture(900, 600, 4));
    const out = join(tempDir("photos-"), "_site");
    built(buildSite(articles, {}, out));
    const festival = loadArchive(articles).articles.find((a) => a.headline === "Ice festival opens")!;
    const img = elementsByTag(pageDocument(out, festival.url), "img")[0];
    expect(img.attribs.alt).toBe("Ice sculptures lit at night");
    expect(existsSync(join(out, img.attribs.src))).toBe(true);
  });

  it("stops on every bad picture at once, naming each file, and keeps the previous site", async () => {
    const articles = articlesWith();
    const out = join(tempDir("photos-"), "_site");
    built(buildSite(articles, {}, out));
    const before = fileHashes(out);
    const story = (headline: string) => rawExport({ section: "Harbin Today", headline, date: "2024-02-01", paragraphs: ["Text."] });
    writeFileSync(join(articles, "tiny.txt"), story("A tiny picture"));
    writeFileSync(join(articles, "tiny.jpg"), await picture(200, 150, 5));
    writeFileSync(join(articles, "text.txt"), story("A picture that is text"));
    writeFileSync(join(articles, "text.jpg"), "not a picture at all\n");
    writeFileSync(join(articles, "lonely.png"), await picture(400, 300, 6, "png"));
    const run = buildSite(articles, {}, out);
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/lonely\.png:1: expected the photo of an article \(lonely\.txt or lonely\.md beside it, or a record whose image: names it\), found no such article$/),
      expect.stringMatching(/text\.jpg:1: expected a JPEG, PNG or WebP picture, found a file that is none$/),
      expect.stringMatching(/tiny\.jpg:1: expected a picture at least 320 px wide, found one 200 px wide$/),
    ]);
    expect(fileHashes(out)).toEqual(before);
  });
});
