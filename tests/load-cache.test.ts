import { spawnSync } from "node:child_process";
import { readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { ParseCache, parseFile, type LoadedRecord } from "../src/load.js";
import { excerpt, firstParagraph } from "../src/markdown.js";
import { RECORD_FIELDS, type ArticleRecord } from "../src/record.js";
import { articlesWith, can, CHILDCARE, isRoot, rawExport, SEED_FILES, tempDir } from "./helpers.js";

/** A fresh cache, as a new build process has. */
function freshLoader(): ParseCache {
  return new ParseCache();
}

function plainRecord(record: ArticleRecord) {
  return { ...Object.fromEntries(RECORD_FIELDS.map((f) => [f, record[f]])), body: record.body };
}

/** A loaded record as plain data, with the summary a load keeps beside its body. */
function plainLoaded(record: LoadedRecord) {
  return { ...plainRecord(record), summary: record.summary };
}

function plain(loaded: ReturnType<ParseCache["load"]>) {
  return loaded.records.map(({ record, ...rest }) => ({ ...rest, record: plainLoaded(record) }));
}

describe("a first load", () => {
  it("gives the records a parse of each file gives, with their summaries, the bodies written out as they are parsed or, with no temporary folder or a full one, kept", () => {
    // A body longer than a write block, then bodies enough to fill a temporary folder of a megabyte midway.
    const long = rawExport({ section: "Harbin Today", headline: "A long report", date: "2023-05-01", paragraphs: Array.from({ length: 300 }, (_, i) => `Paragraph ${i}: ${"words ".repeat(700)}`) });
    const bulk = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`z-bulk-${i}.txt`, rawExport({ section: "Bulk", headline: `Bulk article ${i}`, date: "2019-03-01", paragraphs: [`${i} ${"x".repeat(30_000)}`] })]));
    const articles = articlesWith({ "childcare.txt": CHILDCARE, "long.txt": long, ...bulk });
    const files = freshLoader().load(articles).records.map(({ file }) => resolve(file));
    const parsed = files.map((file) => {
      const record = plainRecord(parseFile(readFileSync(file), basename(file)).record!);
      return { ...record, summary: excerpt(firstParagraph(record.body)) };
    });
    expect(parsed.some(({ body }) => body.length > 1 << 20)).toBe(true);
    const full = tempDir("full-");
    const mounted = can("mount a small tmpfs", () => isRoot && spawnSync("mount", ["-t", "tmpfs", "-o", "size=1024k", "tmpfs", full]).status === 0);
    const tmpdir = process.env.TMPDIR;
    const useTmpdir = (folder: string | undefined) => (folder === undefined ? delete process.env.TMPDIR : (process.env.TMPDIR = folder));
    try {
      for (const folder of [tmpdir, join(tempDir("gone-"), "missing"), ...(mounted ? [full] : [])]) {
        useTmpdir(folder);
        expect(freshLoader().load(articles).records.map(({ record }) => plainLoaded(record))).toEqual(parsed);
      }
    } finally {
      useTmpdir(tmpdir);
      // Lazily: the caches' temporary files stay open for as long as this process runs.
      if (mounted) spawnSync("umount", ["-l", full]);
    }
  });
});

describe("a first load primed on every core", () => {
  it("gives the records and problems a load on one thread gives, or, with no temporary folder for the threads' bodies, leaves every file to it", async () => {
    const extra = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`extra-${i}.txt`, CHILDCARE.replace("childcare services", `childcare services, part ${i}`)]));
    const articles = articlesWith({ ...extra, "broken.txt": "Harbin Today\n\nNo date, no headline.\n" });
    const alone = freshLoader().load(articles);
    expect(alone.problems.length).toBeGreaterThan(0);
    const tmpdir = process.env.TMPDIR;
    const useTmpdir = (folder: string | undefined) => (folder === undefined ? delete process.env.TMPDIR : (process.env.TMPDIR = folder));
    try {
      for (const [folder, threaded] of [[tmpdir, true], [join(tempDir("gone-"), "missing"), false]] as const) {
        useTmpdir(folder);
        const primed = freshLoader();
        const parsedInThreads = await primed.prime(articles, 2, 1);
        // Two shares: about half the well-formed files are the thread's.
        if (threaded) expect(parsedInThreads).toBeGreaterThanOrEqual(Math.floor(alone.records.length / 2) - 1);
        else expect(parsedInThreads).toBe(0);
        const loaded = primed.load(articles);
        expect(plain(loaded)).toEqual(plain(alone));
        expect(loaded.problems).toEqual(alone.problems);
      }
    } finally {
      useTmpdir(tmpdir);
    }
  });

  it("takes a thread's parses in the messages it sends them in, a message per 2,000 files", async () => {
    const many = Object.fromEntries(Array.from({ length: 4100 }, (_, i) => [`many-${i}.txt`, CHILDCARE.replace("childcare services", `childcare services, part ${i}`)]));
    const articles = articlesWith(many);
    const alone = freshLoader().load(articles);
    const primed = freshLoader();
    // The thread's share, 2,052 files, comes in two messages.
    expect(await primed.prime(articles, 2, 1)).toBe(Math.floor(alone.records.length / 2));
    expect(plain(primed.load(articles))).toEqual(plain(alone));
  });
});

describe("the saved parses", () => {
  it("give a later process the records, summaries and content keys a fresh parse gives", async () => {
    const articles = articlesWith({ "childcare.txt": CHILDCARE });
    const cache = tempDir("parses-");
    const first = freshLoader();
    const parsed = first.load(articles);
    expect(parsed.records).toHaveLength(SEED_FILES.length + 1);
    first.save(cache, "code A");

    const second = freshLoader();
    second.restore(cache, "code A");
    expect(plain(second.load(articles))).toEqual(plain(parsed));
  });

  it("give a later process the metadata of each file, which it trusts: a file that has it is not read again", async () => {
    const articles = articlesWith();
    // Files changed in the 2 s before a load are read again by the next.
    await sleep(2100);
    const cache = tempDir("parses-");
    const first = freshLoader();
    first.load(articles);
    first.save(cache, "code A");
    // An edit the saved metadata is then made to match, as a file system whose times did not change would have it.
    const path = resolve(articles, SEED_FILES[0]);
    writeFileSync(path, readFileSync(path, "utf8").replace(/Harbin/g, "Hxrbin"));
    const { size, mtimeMs, ctimeMs, ino } = statSync(path);
    const index = readFileSync(join(cache, "files.json"), "utf8").trimEnd().split("\n");
    const matched = index.map((line) => {
      const entry = JSON.parse(line);
      return Array.isArray(entry) && entry[0] === path ? JSON.stringify([path, { ...entry[1], size, mtimeMs, ctimeMs, ino }]) : line;
    });
    expect(matched).not.toEqual(index);
    writeFileSync(join(cache, "files.json"), `${matched.join("\n")}\n`);

    const bodyOf = (loader: ParseCache) => loader.load(articles).records.find((item) => item.file.endsWith(SEED_FILES[0]))!.record.body;
    const trusting = freshLoader();
    trusting.restore(cache, "code A");
    expect(bodyOf(trusting)).not.toContain("Hxrbin");
    const other = freshLoader();
    other.restore(cache, "code B");
    expect(bodyOf(other)).toContain("Hxrbin");
  });

  it("are not used by other code", async () => {
    const articles = articlesWith();
    const cache = tempDir("parses-");
    const first = freshLoader();
    first.load(articles);
    first.save(cache, "code A");
    writeFileSync(join(cache, "bodies"), readFileSync(join(cache, "bodies"), "utf8").replace(/Harbin/g, "Hxrbin"));

    const other = freshLoader();
    other.restore(cache, "code B");
    expect(other.load(articles).records.every(({ record }) => !record.body.includes("Hxrbin"))).toBe(true);
    const same = freshLoader();
    same.restore(cache, "code A");
    expect(same.load(articles).records.some(({ record }) => record.body.includes("Hxrbin"))).toBe(true);
  });

  it("survive a save cut short: the whole parses before the cut count, the rest are parsed again", async () => {
    const articles = articlesWith();
    const cache = tempDir("parses-");
    const first = freshLoader();
    const parsed = first.load(articles);
    first.save(cache, "code A");
    const saved = readFileSync(join(cache, "parses"));
    writeFileSync(join(cache, "parses"), saved.subarray(0, Math.floor(saved.length * 0.6)));

    const second = freshLoader();
    second.restore(cache, "code A");
    expect(plain(second.load(articles))).toEqual(plain(parsed));
    second.save(cache, "code A");

    // Saved anew rather than appended after the cut: every parse reads back whole.
    const lines = readFileSync(join(cache, "parses"), "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(SEED_FILES.length + 1);
    for (const line of lines) JSON.parse(line);
    const third = freshLoader();
    third.restore(cache, "code A");
    expect(plain(third.load(articles))).toEqual(plain(parsed));
  });
});


describe("the saved parses of an archive that shrank", () => {
  it("are written anew without the dead ones, though nothing new was parsed", async () => {
    const extra = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`extra-${i}.txt`, CHILDCARE.replace("childcare services", `childcare services, part ${i}`)]));
    const cache = tempDir("parses-");
    const first = freshLoader();
    first.load(articlesWith(extra));
    first.save(cache, "code A");
    const lines = () => readFileSync(join(cache, "parses"), "utf8").trimEnd().split("\n").length;
    expect(lines()).toBe(1 + SEED_FILES.length + 7);

    const second = freshLoader();
    second.restore(cache, "code A");
    second.load(articlesWith());
    second.save(cache, "code A");
    expect(lines()).toBe(1 + SEED_FILES.length);
  });
});

describe("the files a load has seen", () => {
  it("are read again when their content changes, even at the same size with the old modification time put back", async () => {
    const articles = articlesWith({}, false);
    const file = join(articles, "story.txt");
    const story = (word: string) => CHILDCARE.replace("comprehensive", word);
    // A modification time in whole seconds, which can be put back exactly.
    const longAgo = 1_600_000_000;
    writeFileSync(file, story("comprehensive"));
    utimesSync(file, longAgo, longAgo);
    // Files changed within the last 2 s are always read again: wait until this one is trusted by its metadata.
    await sleep(2100);
    const loader = freshLoader();
    expect(loader.load(articles).records[0].record.body).toContain("comprehensive");

    writeFileSync(file, story("all-inclusive"));
    expect(story("all-inclusive")).toHaveLength(story("comprehensive").length);
    utimesSync(file, longAgo, longAgo);
    expect(statSync(file).mtimeMs).toBe(longAgo * 1000);
    expect(loader.load(articles).records[0].record.body).toContain("all-inclusive");
  });
});
