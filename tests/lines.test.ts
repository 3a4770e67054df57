import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { eachLine, readLines, WRITE_BLOCK_BYTES, writeLines } from "../src/lines.js";
import { tempDir } from "./helpers.js";

describe("files of lines read a block at a time", () => {
  const linesOf = (text: string, blockBytes: number, stopAt = Infinity) => {
    const file = join(tempDir("lines-"), "parses");
    writeFileSync(file, text);
    const fd = openSync(file, "r");
    const lines: string[] = [];
    try {
      eachLine(fd, (line) => lines.push(line) < stopAt, blockBytes);
    } finally {
      closeSync(fd);
    }
    return lines;
  };
  const text = ["[\"parser\",\"g\"]", "", "Harbin’s “ice” city", "€".repeat(40), "last"].map((line) => `${line}\n`).join("");

  it("give every line whole, a line or a character split across blocks included", () => {
    const expected = text.slice(0, -1).split("\n");
    for (const blockBytes of [1, 2, 3, 7, 64, 1 << 20]) expect(linesOf(text, blockBytes)).toEqual(expected);
  });

  it("stop where the reader says, and find a last line cut short", () => {
    expect(linesOf(text, 5, 2)).toEqual(["[\"parser\",\"g\"]", ""]);
    expect(() => linesOf(`${text}cut`, 5)).toThrow("a line cut short");
  });
});

describe("files of one JSON value a line", () => {
  it("give back every value written, in order, across blocks and with lines longer than a block", () => {
    const file = join(tempDir("lines-"), "run.jsonl");
    const long = "Harbin’s “ice” city\n".repeat(Math.ceil((2 * WRITE_BLOCK_BYTES) / 20));
    const values = [{ nav: [], once: null }, ...Array.from({ length: 30_000 }, (_, i) => ({ article: { url: `/a/${i}/`, body: "€ ".repeat(i % 50) } })), { listPage: { body: long } }, null, "last"];
    writeLines(file, values);
    // One value a line: a newline inside a value is escaped.
    expect(readFileSync(file, "utf8").split("\n")).toHaveLength(values.length + 1);
    const read: unknown[] = [];
    readLines(file, (value) => read.push(value));
    expect(read).toEqual(values);
  });
});
