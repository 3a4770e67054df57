import { describe, expect, it } from "vitest";
import { decodeText } from "../src/decode.js";

describe("decodeText", () => {
  it.each(["\uFFFE", "\uFFFF", "\u0007"])("refuses %j, which no feed may carry, at its line", (char) => {
    expect(decodeText(new TextEncoder().encode(`Home>A\nHeadline ${char}\n`))).toMatchObject({ line: 2, message: expect.stringMatching(/^expected text, found binary data/) });
  });

  it("keeps other Unicode, including zero-width characters", () => {
    const text = "Home>A\nHarbin\u200b 哈尔滨 🙂 \uFEFF\n";
    expect(decodeText(new TextEncoder().encode(text))).toEqual({ text });
  });
});
