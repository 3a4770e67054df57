import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { articlesWith, rawExport, startDevServer, tempDir, until } from "../helpers.js";
import { launchChromium, skipWithoutChromium } from "./browser.js";

describe.skipIf(skipWithoutChromium())("an editor with npm start running", () => {
  it("sees a page open in Chromium show a new article once its file lands, without reloading it by hand", async () => {
    const articles = articlesWith();
    const server = await startDevServer(articles, join(tempDir("serve-"), "dev-site"));
    const browser = await launchChromium();
    try {
      await until("the dev server to serve", async () => (await fetch(`${server.origin}/`)).ok);
      const page = await browser.newPage();
      await page.goto(`${server.origin}/`);
      const headline = "Harbin opens a new ice festival hall";
      expect(await page.textContent("body")).not.toContain(headline);
      writeFileSync(join(articles, "zz-live.txt"), rawExport({ section: "Harbin Today", headline, date: "2024-03-01", paragraphs: ["The hall opened on Friday."] }));
      // The dev server's reload script, in the page it served, loads it again after the build.
      await page.waitForFunction((text) => document.body.textContent!.includes(text), headline, { timeout: 60_000 });
      expect(await page.locator(`a:has-text("${headline}")`).first().getAttribute("href")).toBe("/2024/03/01/harbin-opens-a-new-ice-festival-hall/");
    } finally {
      await browser.close();
      await server.stop();
    }
  });
});
