import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { PROJECT, SEED_FILES, articlesWith, buildSite, fileHashes, tempDir, type BuildRun } from "./helpers.js";

const FIXTURES = join(PROJECT, "tests/fixtures/bad");

/**
 * Each bad fixture, the line a message must name (the first line matching
 * `at`, plus `after`) and what the message must say about it.
 */
const CASES: Record<string, { at: RegExp; after?: number; says: RegExp }> = {
  "empty.txt": { at: /^$/, says: /breadcrumb.*found an empty file/ },
  "no-breadcrumb.txt": { at: /^Harbin opens/, says: /^expected a breadcrumb .*, found "Harbin opens/ },
  "bad-breadcrumb.txt": { at: /^Home\//, says: /^expected a breadcrumb .*, found "Home\/Biz updates"/ },
  "no-headline.txt": { at: /^Updated/, says: /^expected a headline .*, found "Updated : 2021-03-17"/ },
  "no-updated.txt": { at: /^By \(/, says: /^expected "Updated : YYYY-MM-DD" .*, found "By \( e\.my399\.com \)"/ },
  "bad-updated.txt": { at: /^Updated/, says: /^expected a calendar date YYYY-MM-DD, found "15\/03\/2021"/ },
  "impossible-date.txt": { at: /^Updated/, says: /^expected a calendar date YYYY-MM-DD, found "2021-02-30"/ },
  "no-byline.txt": { at: /^The software park/, says: /^expected "By \( source \)" .*, found "The software park/ },
  "no-body.txt": { at: /^By \(/, after: 1, says: /^expected the article body .*, found nothing/ },
  "duplicate-b.txt": { at: /^Harbin trade fair opens/, says: /^expected a unique article URL, found \/2021\/06\/15\/harbin-trade-fair-opens\/ already used by \S*duplicate-a\.txt:3$/ },
  "latin1.txt": { at: /caf\u00e9/, says: /^expected UTF-8 text, found byte 0xE9 / },
  "binary.txt": { at: /\u0000/, says: /^expected text, found binary data/ },
  // At the closing ---, after the last field, where the missing one would go.
  "missing-field.md": { at: /^headline:/, after: 1, says: /^expected a one-line source, found nothing/ },
  "unknown-field.md": { at: /^author:/, says: /^expected only the fields .*, found "author"/ },
  "bad-yaml.md": { at: /^headline:/, says: /^expected valid YAML front matter, found an error/ },
};

/** The fixtures that are fine on their own: only their pairing is bad. */
const PARTNERS = ["duplicate-a.txt"];

const DIAGNOSTIC = /^(.+):(\d+): (expected .+, found .+)$/;
const DIAGNOSTIC_LINE = new RegExp(DIAGNOSTIC.source, "m");

function expectedLine(name: string): number {
  const { at, after = 0 } = CASES[name];
  // Latin-1 maps every byte to one character, so binary and mis-encoded fixtures can be searched too.
  const lines = readFileSync(join(FIXTURES, name), "latin1").split(/\r\n|\r|\n/);
  const index = lines.findIndex((line) => at.test(line));
  expect(index, `${name} has a line matching ${at}`).toBeGreaterThanOrEqual(0);
  return index + 1 + after;
}

function badFolder(): string {
  const fixtures = Object.fromEntries(readdirSync(FIXTURES).map((name) => [name, readFileSync(join(FIXTURES, name))]));
  return articlesWith(fixtures);
}

describe("a build of the seeds plus every kind of bad article file", () => {
  let dir: string;
  let run: BuildRun;
  let diagnostics: { file: string; line: number; message: string }[];

  beforeAll(() => {
    dir = badFolder();
    run = buildSite(dir);
    diagnostics = run.stderr
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        const m = DIAGNOSTIC.exec(line);
        return m ? { file: m[1], line: Number(m[2]), message: m[3] } : { file: "", line: 0, message: line };
      });
  });

  it("covers every fixture in the folder", () => {
    expect(readdirSync(FIXTURES).sort()).toEqual([...Object.keys(CASES), ...PARTNERS].sort());
  });

  it("fails with exit status 1 and writes nothing", () => {
    expect(run.status).toBe(1);
    expect(existsSync(run.out)).toBe(false);
    expect(readdirSync(dirname(run.out))).toEqual([]);
  });

  it("prints only `PATH:LINE: expected ..., found ...` lines, each naming a file of the articles folder", () => {
    expect(diagnostics.filter((d) => d.file === "")).toEqual([]);
    for (const d of diagnostics) expect(dirname(resolve(PROJECT, d.file))).toBe(dir);
  });

  it("names each bad file once, at the line where something else was expected", () => {
    const byFile = diagnostics.map((d) => basename(d.file)).sort();
    expect(byFile).toEqual(Object.keys(CASES).sort());
    for (const d of diagnostics) {
      const name = basename(d.file);
      expect(d.line, name).toBe(expectedLine(name));
      expect(d.message, name).toMatch(CASES[name].says);
    }
  });

  it("names both files of a duplicate URL, each with its path", () => {
    const duplicate = diagnostics.find((d) => d.file.endsWith("duplicate-b.txt"))!;
    const other = /already used by (.+):\d+$/.exec(duplicate.message)![1];
    expect(resolve(PROJECT, other)).toBe(join(dir, "duplicate-a.txt"));
  });

  it("says nothing about the good seeds", () => {
    for (const seed of SEED_FILES) expect(run.stderr).not.toContain(seed);
  });
});

describe("a failed build over a site built before", () => {
  it("leaves the previous site as it was, with nothing beside it", () => {
    const out = join(tempDir("site-"), "_site");
    const good = buildSite(articlesWith(), {}, out);
    expect(good.stderr).toBe("");
    expect(good.status).toBe(0);
    const before = fileHashes(out);
    expect(Object.keys(before)).toContain("index.html");

    const bad = buildSite(badFolder(), {}, out);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(DIAGNOSTIC_LINE);
    expect(fileHashes(out)).toEqual(before);
    expect(readdirSync(dirname(out))).toEqual(["_site"]);
  });
});
