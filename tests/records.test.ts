import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readRecord } from "../src/frontmatter.js";
import { recordName } from "../src/load.js";
import { parseExport } from "../src/parse.js";
import { articleUrl } from "../src/urls.js";
import {
  PROJECT,
  SEEDS,
  SEED_FILES,
  articlesWith,
  buildSite,
  elementsByTag,
  fileHashes,
  literal,
  pageDocument,
  runCli,
  seedText,
  tempDir,
  textOf,
  type BuildRun,
} from "./helpers.js";

const HAND_WRITTEN = `---
section: Biz updates
date: "2021-09-06"
headline: Harbin dairy output rises
source: e.my399.com
---
Dairy output in Harbin rose **8 percent** in the first half, _local officials_ said.

- fresh milk
- milk powder
`;

function writeRecords(articles: string, out = join(tempDir("records-"), "records")) {
  return { out, run: runCli("records.ts", ["--out", out, "--articles", articles]) };
}

describe("npm run records on the seeds", () => {
  let out: string;
  let run: ReturnType<typeof runCli>;

  beforeAll(() => {
    ({ out, run } = writeRecords(SEEDS));
  });

  it("writes one .md record per seed, named after it", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(SEED_FILES.map((name) => name.replace(/\.txt$/, ".md")));
    expect(SEED_FILES.map(recordName)).toEqual(readdirSync(out).sort());
  });

  it.each(SEED_FILES)("writes %s as front matter that reads back to the same record", (name) => {
    const text = readFileSync(join(out, recordName(name)), "utf8");
    expect(text).toMatch(/^---\nsection: /);
    const read = readRecord(text);
    expect(read.problems).toEqual([]);
    expect(read.record).toEqual(parseExport(seedText(name)).record);
  });
});

describe("npm run records on bad input", () => {
  it("exits 1 with a file:line line for each bad file and writes nothing", () => {
    const bad = articlesWith({ "no-headline.txt": readFileSync(join(PROJECT, "tests/fixtures/bad/no-headline.txt")), "empty.txt": "" });
    const { out, run } = writeRecords(bad);
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/empty\.txt:1: expected a breadcrumb .*, found an empty file$/);
    expect(lines[1]).toMatch(/no-headline\.txt:3: expected a headline .*, found "Updated : 2021-03-17"$/);
    expect(existsSync(out)).toBe(false);
  });

  it("exits 1 when an export and a record of one name would both be written as that record", () => {
    const [seed] = SEED_FILES;
    const { out: records } = writeRecords(SEEDS);
    const both = articlesWith({ [recordName(seed)]: readFileSync(join(records, recordName(seed))) }, true);
    const { out, run } = writeRecords(both);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(new RegExp(`^\\S*${literal(seed)}:1: expected one article file per record name, found \\S*${literal(recordName(seed))} also written as ${literal(recordName(seed))}$`));
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ["no --out", ["--articles", SEEDS]],
    ["an unknown option", ["--out", "x", "--bogus"]],
    ["a stray argument", ["--out", "x", "extra"]],
    ["a missing articles folder", ["--out", "x", "--articles", join(PROJECT, "no-such-folder")]],
    ["the articles folder as output", ["--out", SEEDS, "--articles", SEEDS]],
  ])("exits 2 with the usage on %s", (_, args) => {
    const run = runCli("records.ts", args);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("usage: npm run records -- --out DIR");
    expect(existsSync(join(PROJECT, "x"))).toBe(false);
  });
});

describe("records in the articles folder in place of the exports", () => {
  let fromExports: BuildRun;
  let fromRecords: BuildRun;

  beforeAll(() => {
    const { out: records } = writeRecords(SEEDS);
    const recordFiles = Object.fromEntries(readdirSync(records).map((name) => [name, readFileSync(join(records, name))]));
    fromExports = buildSite(articlesWith({ "dairy.md": HAND_WRITTEN }));
    fromRecords = buildSite(articlesWith({ ...recordFiles, "dairy.md": HAND_WRITTEN }, false));
  });

  it("build to the very same site", () => {
    for (const run of [fromExports, fromRecords]) {
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
    }
    const exportsSite = fileHashes(fromExports.out);
    for (const name of SEED_FILES) expect(Object.keys(exportsSite)).toContain(`${articleUrl(parseExport(seedText(name)).record!).slice(1)}index.html`);
    expect(fileHashes(fromRecords.out)).toEqual(exportsSite);
  });

  it("render a hand-written record's body as Markdown", () => {
    const record = readRecord(HAND_WRITTEN).record!;
    const [article] = elementsByTag(pageDocument(fromRecords.out, articleUrl(record)), "article");
    expect(elementsByTag(article, "strong").map(textOf)).toEqual(["8 percent"]);
    expect(elementsByTag(article, "em").map(textOf)).toEqual(["local officials"]);
    expect(elementsByTag(article, "li").map(textOf)).toEqual(["fresh milk", "milk powder"]);
    expect(textOf(article)).not.toMatch(/\*\*|_local/);
  });
});
