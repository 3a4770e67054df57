import { describe, expect, it } from "vitest";
import { buildSite, readPage } from "./helpers.js";

describe("the seed site", () => {
  const site = buildSite();

  it("builds", () => {
    expect(site.stderr).toBe("");
    expect(site.status).toBe(0);
    expect(readPage(site.out, "/")).toContain("Harbin strives to expand opening-up");
  });
});
