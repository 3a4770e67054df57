import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, utimesSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { articlesWith, buildSite, tempDir } from "./helpers.js";

/** Every file of a folder by relative path, with the hash of its bytes. */
function tree(dir: string): Map<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
  return new Map(files.map((file) => [relative(dir, file), createHash("sha256").update(readFileSync(file)).digest("hex")] as const).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Articles that give order-sensitive code something to get wrong: many on
 * one day, sections told apart only by case rules that differ by locale
 * (Turkish dotted and dotless i), headlines that sort differently by locale,
 * and a section long enough to be paginated.
 */
function articles(): Record<string, string> {
  const headlines = ["Ice festival opens", "İstanbul delegation visits", "ıce sculptures", "Äpfel und Birnen", "Zebra crossing", "apple harvest", "Éclair bakery", "ß and ss", "Oslo–Harbin route", "10 new flights", "9 new flights"];
  const sections = ["Harbin Today", "Biz updates", "Istanbul desk", "Ärzte", "zeta"];
  const files: Record<string, string> = {};
  let n = 0;
  for (const [i, headline] of headlines.entries()) {
    for (let day = 0; day < 3; day++) {
      const section = sections[(i + day) % sections.length];
      const date = `2021-0${(day % 3) + 1}-1${i % 3}`;
      files[`d${String(n++).padStart(3, "0")}-${i}.txt`] = `Home>${section}\n${headline} ${day}\nUpdated : ${date}\nBy ( test )\n\nA first paragraph about ${headline}.\nA second one.\n`;
    }
  }
  for (let i = 0; i < 25; i++) {
    files[`page-${i}.txt`] = `Home>Harbin Today\nSame day story ${i}\nUpdated : 2022-12-31\nBy ( test )\n\nStory ${i} of a busy day.\n`;
  }
  return files;
}

/** A copy of a folder made in reverse name order, each file with another modification time. */
function reversedCopy(dir: string): string {
  const copy = join(tempDir("articles-reversed-"), "articles");
  mkdirSync(copy, { recursive: true });
  const names = readdirSync(dir).sort().reverse();
  for (const [i, name] of names.entries()) {
    copyFileSync(join(dir, name), join(copy, name));
    const time = new Date(Date.UTC(2001, 0, 1) + i * 86_400_000);
    utimesSync(join(copy, name), time, time);
  }
  return copy;
}

describe("builds are deterministic", () => {
  const source = articlesWith(articles());
  const runs = [
    { TZ: "UTC", LANG: "C", dir: source },
    { TZ: "Pacific/Kiritimati", LANG: "tr_TR.UTF-8", dir: reversedCopy(source) },
    { TZ: "America/Los_Angeles", LANG: "de_DE.UTF-8", dir: reversedCopy(source) },
  ].map(({ dir, ...env }) => ({ env, site: buildSite(dir, { ...env, LC_ALL: env.LANG }) }));

  it("builds every time", () => {
    for (const { site } of runs) {
      expect(site.stderr).toBe("");
      expect(site.status).toBe(0);
    }
  });

  it("gives byte-identical sites whatever TZ, locale and file-system order", () => {
    const [first, ...others] = runs.map(({ site }) => tree(site.out));
    expect(first.size).toBeGreaterThan(60);
    for (const other of others) {
      expect([...other.keys()]).toEqual([...first.keys()]);
      const differing = [...first].filter(([path, hash]) => other.get(path) !== hash).map(([path]) => path);
      expect(differing).toEqual([]);
    }
  });
});
