import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT } from "./helpers.js";

describe("the project", () => {
  it("type-checks: src, templates written in TypeScript, tests and the benchmark", () => {
    const tsc = spawnSync(process.execPath, [join(PROJECT, "node_modules/typescript/bin/tsc"), "-p", PROJECT], { encoding: "utf8" });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  });
});
