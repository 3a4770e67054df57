import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMarkdown, firstParagraph, paragraphTexts } from "../src/markdown.js";

// Lines that open, continue or close every kind of block Markdown has.
const markdownLine = fc.constantFrom(
  "",
  "   ",
  "Plain words.",
  "more *emphasis* and `code`",
  "# Heading",
  "Setext",
  "===",
  "---",
  "- item",
  "1. first",
  "> quoted",
  "```",
  "~~~",
  "    indented code",
  "[x]",
  "[x][ref]",
  "[ref]: /target",
  "<b>html</b>",
  "\\# escaped",
);

describe("firstParagraph", () => {
  it("reads the same first paragraph as parsing the whole body, for arbitrary Markdown", () => {
    const markdown = createMarkdown();
    fc.assert(
      fc.property(fc.array(markdownLine, { maxLength: 12 }), (lines) => {
        const body = lines.join("\n");
        expect(firstParagraph(body)).toBe(paragraphTexts(markdown, body)[0] ?? "");
      }),
      { numRuns: 3000 },
    );
  });
});
