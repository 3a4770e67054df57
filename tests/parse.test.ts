import { describe, expect, it } from "vitest";
import { createMarkdown, paragraphTexts } from "../src/markdown.js";
import { parseExport } from "../src/parse.js";
import type { ArticleRecord } from "../src/record.js";
import { SEED_FILES, exportBodyLines, seedText } from "./helpers.js";

type Seed = (typeof SEED_FILES)[number];

const TEASER_HEADLINE = "Harbin ramps up childcare services";

/** What each seed holds, read off the files; paragraph texts are taken from the files themselves below. */
const SEEDS: Record<Seed, { section: string; date: string; headline: string; paragraphs: number; caption: boolean; teaser: boolean }> = {
  "000_52ce23d16fbdbab1.txt": { section: "Harbin Today", date: "2023-04-14", headline: "Harbin strives to expand opening-up", paragraphs: 8, caption: false, teaser: true },
  "001_c863029566155c19.txt": { section: "Harbin Today", date: "2020-09-23", headline: "Harbin, Russia trade index launched", paragraphs: 9, caption: false, teaser: true },
  "002_911a0816af94599d.txt": { section: "Biz updates", date: "2021-08-31", headline: "Harbin trade comes bouncing back in first half in epidemic recovery", paragraphs: 14, caption: true, teaser: false },
  "003_0888aff46d256542.txt": { section: "Biz updates", date: "2021-08-04", headline: "Harbin pursues high-quality economic development", paragraphs: 10, caption: false, teaser: false },
  "004_648e72c0b8165bae.txt": { section: "Biz updates", date: "2020-08-31", headline: "Harbin to expand innovation in services trade", paragraphs: 9, caption: false, teaser: false },
};

const markdown = createMarkdown();

function parsed(text: string): ArticleRecord {
  const result = parseExport(text);
  expect(result.problems).toEqual([]);
  expect(result.record).not.toBeNull();
  return result.record!;
}

/** The body paragraphs a seed's own lines call for: every line after the By line but a caption line and a teaser. */
function expectedParagraphs(name: Seed): string[] {
  const lines = exportBodyLines(seedText(name));
  const { caption, teaser } = SEEDS[name];
  return lines.slice(caption ? 1 : 0, teaser ? -2 : undefined);
}

describe.each(SEED_FILES)("the parser on seed %s", (name) => {
  const expected = SEEDS[name];
  const text = seedText(name);
  const result = parseExport(text);
  const record = result.record!;
  const lines = exportBodyLines(text);

  it("parses without problems", () => {
    expect(result.problems).toEqual([]);
    expect(record).not.toBeNull();
  });

  it("reads section, date, headline and source", () => {
    expect(record.section).toBe(expected.section);
    expect(record.date).toBe(expected.date);
    expect(record.headline).toBe(expected.headline);
    expect(record.source).toBe("e.my399.com");
  });

  it("keeps every body line as one paragraph with exactly its text", () => {
    const paragraphs = paragraphTexts(markdown, record.body);
    expect(paragraphs).toHaveLength(expected.paragraphs);
    expect(paragraphs).toEqual(expectedParagraphs(name));
  });

  it("finds a caption and credit only where the export has one", () => {
    if (!expected.caption) {
      expect(record.caption).toBeNull();
      expect(record.credit).toBeNull();
      return;
    }
    expect(record.caption).toBe("Business representatives access services at Harbin Bank's settlement service center.");
    expect(record.credit).toBe("CHINA DAILY");
    expect(`${record.caption} ${record.credit}`).toBe(lines[0]);
  });

  it("finds a teaser only where the export ends with one", () => {
    if (!expected.teaser) {
      expect(record.teaser).toBeNull();
      return;
    }
    expect(record.teaser).toEqual({ headline: TEASER_HEADLINE, summary: lines[lines.length - 1] });
    expect(lines[lines.length - 2]).toBe(TEASER_HEADLINE);
    expect(record.teaser!.summary).toMatch(/^A new comprehensive service center for childcare in Harbin .*\.$/);
  });

  it("leaves no no-break space in any field, even where the export has nothing but", () => {
    expect(JSON.stringify(record)).not.toContain("\u00a0");
    expect(JSON.stringify(record)).not.toMatch(/ {2}|\t/);
    expect(parsed(text.replace(/ /g, "\u00a0"))).toEqual(record);
  });

  it("reads the same record with a byte-order mark, CRLF or CR line ends", () => {
    expect(parsed(`\ufeff${text}`)).toEqual(record);
    expect(parsed(text.replace(/\n/g, "\r\n"))).toEqual(record);
    expect(parsed(`\ufeff${text.replace(/\n/g, "\r\n")}`)).toEqual(record);
    expect(parsed(text.replace(/\n/g, "\r"))).toEqual(record);
  });

  it("reads the same record whether header lines are apart or together, and with stray white space", () => {
    const [crumb, headline, updated, byline] = text.split("\n").filter((line) => line.trim() !== "");
    const rest = text.slice(text.indexOf(byline) + byline.length);
    const packed = `${[crumb, headline, updated, byline].join("\n")}${rest}`;
    expect(packed).not.toBe(text);
    expect(parsed(packed)).toEqual(record);
    expect(parsed(`\n\n${text.replace(/\n/g, " \t\u00a0\n")}\n\n`)).toEqual(record);
  });

  it("numbers the headline's line for messages about the whole article", () => {
    expect(text.split("\n")[result.headlineLine! - 1]).toBe(expected.headline);
  });
});

describe("the parser on text that only looks like a header", () => {
  const base = seedText("003_0888aff46d256542.txt");

  it("reports a malformed Updated line in the headline's place as a missing headline, not as the headline", () => {
    const text = base.replace(/^Harbin pursues.*\n\n/m, "").replace(/Updated : /, "Updated ");
    const result = parseExport(text);
    expect(result.record).toBeNull();
    expect(result.problems).toEqual([{ line: 3, message: expect.stringMatching(/^expected a headline .*, found "Updated 2021-08-04"$/) }]);
  });

  it("accepts a headline that merely starts with the word Updated", () => {
    const record = parsed(base.replace("Harbin pursues high-quality economic development", "Updated rules speed up company registration"));
    expect(record.headline).toBe("Updated rules speed up company registration");
    expect(record.date).toBe("2021-08-04");
  });
});

describe("the parser on a correction date", () => {
  const base = seedText("003_0888aff46d256542.txt");
  const corrected = (line: string) => base.replace("Updated : 2021-08-04", `Updated : 2021-08-04\n\n${line}`);

  it("reads an optional Corrected line after the Updated line as the record's updated date", () => {
    const record = parsed(corrected("Corrected : 2021-09-01"));
    expect(record).toMatchObject({ date: "2021-08-04", updated: "2021-09-01", source: "e.my399.com" });
    expect(parsed(base).updated).toBeNull();
    // The body is the same either way.
    expect(record.body).toBe(parsed(base).body);
  });

  it("says where a correction date is not one, or comes before the publication", () => {
    const line = base.split("\n").indexOf("Updated : 2021-08-04") + 3;
    expect(parseExport(corrected("Corrected : 2021-02-30")).problems).toEqual([{ line, message: 'expected a correction date YYYY-MM-DD, found "2021-02-30"' }]);
    expect(parseExport(corrected("Corrected : 2021-08-03")).problems).toEqual([{ line, message: "expected a correction date on or after the publication date 2021-08-04, found 2021-08-03" }]);
    // Nor is it ever taken for the headline or the byline.
    expect(parseExport(corrected("Corrected : 2021-09-01").replace(/^By \(.*\)$/m, "")).problems[0].message).toMatch(/^expected "By \( source \)" after the Corrected line/);
  });
});
