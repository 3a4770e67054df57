import { spawnSync } from "node:child_process";
import fc from "fast-check";
import { parseDocument, DomUtils } from "htmlparser2";
import { describe, expect, it } from "vitest";
import { DateTime } from "luxon";
import { isCalendarDate, readableDate, readableMonth } from "../src/dates.js";
import { readRecord, writeRecord } from "../src/frontmatter.js";
import { firstParagraph, renderBody } from "../src/markdown.js";
import { parseExport } from "../src/parse.js";
import { RECORD_FIELDS, type ArticleRecord } from "../src/record.js";
import { normaliseLine, NOT_TEXT } from "../src/text.js";
import { articleUrl, headlineSlug, sectionSlug } from "../src/urls.js";
import { PROJECT } from "./helpers.js";

// Characters the decoder refuses (binary, and noncharacters and lone surrogates, which no record can hold) or that end a line: a line of an export holds none of them.
const NOT_IN_A_LINE = new RegExp(`${NOT_TEXT.source}|[\\u000a-\\u000d]`, "gu");

const MARKUP = [
  ..."~~ ~~~ ** __ * _ ` ``` [ ]( ) ![ < > | \\ # ## > - + = --- === *** 1. 1) 12345. 1234567890. &amp; &#x41; &#65; &copy; &nbsp;".split(" "),
  "<b>", "</p>", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)", "http://example.org", "www.example.org", "a@b.org",
  "[x]: /url", "{{ 7*7 }}", "{% raw %}", "---\ntitle: x", "\u00a0", "\u200b", "\u200d", "\ufeff", "\u2028", "\u0085", "\u3000", " ", "\t", "a", "é", "漢字", "Привет", "مرحبا", "👩‍👩‍👧", "🇨🇳", "e\u0301",
];

/** Arbitrary text as one line of an export holds it after the parser's whitespace normalisation. */
const lineText = fc
  .oneof(
    fc.string({ unit: "grapheme", maxLength: 40 }),
    fc.string({ unit: "binary", maxLength: 40 }),
    // Markdown's and HTML's special characters and constructs, densely.
    fc.string({ unit: fc.constantFrom(..."\\`*_[]<>&~|#>-+=.!()0123456789:{}%\"' \t\u00a0\u200b\u3000a"), maxLength: 20 }),
    fc.array(fc.constantFrom(...MARKUP), { maxLength: 8 }).map((parts) => parts.join("")),
  )
  .map((text) => normaliseLine(text.replace(NOT_IN_A_LINE, " ")))
  .filter((text) => text !== "");

/** The text of each `<p>` of rendered HTML, as a browser shows it. */
function renderedParagraphs(html: string): string[] {
  return DomUtils.findAll((el) => el.name === "p", parseDocument(html).children).map((p) => DomUtils.textContent(p));
}

const HEADER = "Home>Harbin Today\nA headline\nUpdated : 2021-08-31\nBy ( test )\n";

describe("ingest then render gives back each paragraph's text", () => {
  it("for arbitrary Unicode lines", () => {
    fc.assert(
      fc.property(fc.array(lineText, { minLength: 1, maxLength: 8 }), fc.constantFrom("\n", "\n\n", "\r\n"), (lines, separator) => {
        const { record, problems } = parseExport(HEADER + lines.join(separator));
        expect(problems).toEqual([]);
        // The parser may read the first line as a photo caption and the last two as a teaser: all text is kept, in order.
        const kept = [
          ...(record!.caption ? [[record!.caption, record!.credit].join(" ")] : []),
          ...renderedParagraphs(renderBody(record!.body)),
          ...(record!.teaser ? [record!.teaser.headline, record!.teaser.summary] : []),
        ];
        expect(kept).toEqual(lines);
        // What the site takes for summaries is what readers see.
        expect(firstParagraph(record!.body)).toEqual(renderedParagraphs(renderBody(record!.body))[0]);
      }),
      { numRuns: 2000 },
    );
  });
});

/** A record as the parser makes them: one-line normalised text fields, a calendar date, a body. */
const recordArb: fc.Arbitrary<ArticleRecord> = fc.record({
  id: fc.option(fc.constantFrom("000_52ce23d16fbdbab1", "story-1", "a.b~c")),
  section: lineText,
  date: fc.date({ min: new Date("1900-01-01T00:00:00Z"), max: new Date("2199-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  headline: fc.oneof(lineText, fc.constantFrom("yes", "no", "null", "~", "true", "2021-01-01", "key: value", "- item", "0x1F", "1e3", ".nan", "'quoted'", "&anchor", "*alias", "!!str x", "#comment", "@at", "`tick", "---", "...")),
  source: lineText,
  caption: fc.option(lineText),
  credit: fc.option(lineText),
  teaser: fc.option(fc.record({ headline: lineText, summary: lineText })),
  updated: fc.constant(null),
  aliases: fc.constantFrom([], ["/old/story/"], ["/content/2023-04/14/content_1.html", "/old/"]),
  image: fc.option(fc.record({ src: fc.constantFrom("photo.jpg", "photos/2021/ice.webp"), alt: lineText })),
  // Markdown, as hand-written records hold it: lines that look like front matter included. A body ends with a line break.
  body: fc
    .tuple(lineText, fc.array(fc.oneof(lineText, fc.constantFrom("", "---", "---js", "title: x", "...", "+++", "# x", "\r")), { maxLength: 6 }))
    .chain(([text, lines]) => fc.shuffledSubarray([text, ...lines], { minLength: lines.length + 1 }))
    .map((lines) => `${lines.join("\n")}\n`),
});

describe("records", () => {
  it("written with gray-matter and read back are the same record", () => {
    fc.assert(
      fc.property(recordArb, (record) => {
        const { record: back, problems } = readRecord(writeRecord(record));
        expect(problems).toEqual([]);
        expect(back).toEqual(record);
        for (const field of RECORD_FIELDS) expect(typeof back![field]).toBe(typeof record[field]);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("slugs", () => {
  const anyText = fc.oneof(fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), lineText);
  it("are total, non-empty and URL-safe", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        for (const slug of [headlineSlug(text), sectionSlug(text)]) expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      }),
      { numRuns: 3000 },
    );
  });

  it("spell Latin text in ASCII and keep apart headlines that differ only in letters a slug cannot hold", () => {
    expect(headlineSlug("Café Ærø in Straße 2")).toBe("cafe-aero-in-strasse-2");
    expect(headlineSlug("Ｆｕｌｌ－ｗｉｄｔｈ İstanbul")).toBe("full-width-istanbul");
    expect(headlineSlug("Zero\u200bwidth\u00adsoft")).toBe("zerowidthsoft");
    const script = fc.string({ unit: fc.constantFrom(..."哈尔滨冰雪节开幕Харбинهاربين"), minLength: 1, maxLength: 6 });
    fc.assert(
      fc.property(script, script, lineText, (a, b, common) => {
        fc.pre(a !== b);
        expect(headlineSlug(`${a} ${common}`)).not.toBe(headlineSlug(`${b} ${common}`));
        expect(sectionSlug(`${common} ${a}`)).not.toBe(sectionSlug(`${common} ${b}`));
      }),
      { numRuns: 1000 },
    );
  });

  it("are stable: the same in every process, time zone and locale", () => {
    const texts = fc.sample(anyText, { numRuns: 300, seed: 7 });
    texts.push("İstanbul ıişte", "STRASSE straße", "ǅemal", "Ωmega", "yes", "null", "2021-01-01", "…", "");
    const expected = texts.map((text) => [headlineSlug(text), sectionSlug(text)]);
    for (const env of ENVIRONMENTS) expect(inChild(SLUG_SCRIPT, texts, env)).toEqual(expected);
  });
});

// Time zones either side of the date line and with daylight saving, and locales whose case rules differ.
const ENVIRONMENTS = [
  { TZ: "UTC", LANG: "C" },
  { TZ: "Pacific/Kiritimati", LANG: "tr_TR.UTF-8" },
  { TZ: "Pacific/Pago_Pago", LANG: "de_DE.UTF-8" },
  { TZ: "America/Los_Angeles", LANG: "en_US.UTF-8" },
  { TZ: "Asia/Shanghai", LANG: "zh_CN.UTF-8" },
  { TZ: "Europe/London", LANG: "C.UTF-8" },
];

/** Run a module script in a child process, since a process reads TZ and the locale once; it gets `input` as JSON. */
function inChild(script: string, input: unknown, env: Record<string, string>): unknown {
  const run = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, JSON.stringify(input)], {
    cwd: PROJECT,
    encoding: "utf8",
    env: { ...process.env, ...env, LC_ALL: env.LANG },
  });
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout);
}

const SLUG_SCRIPT = `
  import { headlineSlug, sectionSlug } from "./src/urls.ts";
  const texts = JSON.parse(process.argv[1]);
  process.stdout.write(JSON.stringify(texts.map((t) => [headlineSlug(t), sectionSlug(t)])));
`;

describe("record dates", () => {
  it("read as luxon writes them in the archive's locale, in any year", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true }), (instant) => {
        const date = instant.toISOString().slice(0, 10);
        const luxon = DateTime.fromISO(date, { zone: "utc", locale: "en-GB" });
        expect(readableDate(date)).toBe(luxon.toFormat("d LLLL yyyy"));
        expect(readableMonth(date.slice(0, 4), date.slice(5, 7))).toBe(luxon.toFormat("LLLL yyyy"));
      }),
      { numRuns: 2000, seed: 11 },
    );
  });

  const SCRIPT = `
    import { parseExport } from "./src/parse.ts";
    import { dateTime, readableDate } from "./src/dates.ts";
    import { articleUrl } from "./src/urls.ts";
    const dates = JSON.parse(process.argv[1]);
    const out = dates.map((d) => {
      const { record } = parseExport("Home>S\\nH\\nUpdated : " + d + "\\nBy ( s )\\nBody.\\n");
      return [record.date, dateTime(record.date), readableDate(record.date), articleUrl(record)];
    });
    process.stdout.write(JSON.stringify(out));
  `;

  it("are the same under any TZ and locale", () => {
    const dates = fc.sample(
      fc.date({ min: new Date("1901-01-01T00:00:00Z"), max: new Date("2100-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
      { numRuns: 300, seed: 5 },
    );
    // Days around the daylight-saving and date-line changes of the zones above.
    dates.push("2011-12-29", "2011-12-30", "2011-12-31", "1995-01-01", "2021-03-14", "2021-11-07", "2021-03-28", "2021-10-31", "1970-01-01", "2000-02-29");
    expect(dates.every(isCalendarDate)).toBe(true);
    const results = ENVIRONMENTS.map((env) => inChild(SCRIPT, dates, env) as string[][]);
    for (const [i, date] of dates.entries()) {
      expect(results[0][i][0]).toBe(date);
      expect(results[0][i][3]).toBe(articleUrl({ date, headline: "H" }));
    }
    for (const result of results.slice(1)) expect(result).toEqual(results[0]);
  });
});
