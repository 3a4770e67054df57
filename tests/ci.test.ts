import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT, tempDir } from "./helpers.js";

describe(".ci/run's closing line", () => {
  it("equals vitest's own totals, counting a test file that failed to load once", () => {
    const dir = tempDir("ci-");
    mkdirSync(join(dir, "tests"));
    symlinkSync(join(PROJECT, "node_modules"), join(dir, "node_modules"), "dir");
    writeFileSync(join(dir, "package.json"), '{ "type": "module" }\n');
    writeFileSync(join(dir, "tests/a.test.js"), 'import { describe, it, expect } from "vitest";\ndescribe("a", () => { it("passes", () => expect(1).toBe(1)); it("fails", () => expect(1).toBe(2)); });\n');
    writeFileSync(join(dir, "tests/b.test.js"), 'import { describe, it, expect } from "vitest";\ndescribe("b", () => { describe("nested", () => { it("fails too", () => expect(1).toBe(2)); it("passes too", () => {}); }); });\n');
    writeFileSync(join(dir, "tests/c.test.js"), 'import "./no-such-module.js";\n');
    const report = join(dir, "report.json");
    const vitest = spawnSync(process.execPath, [join(PROJECT, "node_modules/vitest/vitest.mjs"), "run", "--root", dir, "--reporter=default", "--reporter=json", `--outputFile.json=${report}`], {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    expect(vitest.status).toBe(1);
    // vitest's summary: "Tests  2 failed | 2 passed (4)", and one file that failed to load.
    expect(vitest.stdout).toMatch(/Tests\s+2 failed \| 2 passed/);
    expect(vitest.stdout).toMatch(/Test Files\s+3 failed/);
    const counted = spawnSync(process.execPath, [join(PROJECT, ".ci/count-tests.mjs"), report], { encoding: "utf8" });
    expect(counted.stdout).toBe("tests: 2 passed, 3 failed\n");
    expect(counted.status).toBe(1);
    expect(JSON.parse(readFileSync(report, "utf8")).numFailedTests).toBe(2);
  });

  it("runs the README's test command", () => {
    const readme = readFileSync(join(PROJECT, "README.md"), "utf8");
    const quickStart = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)![1].trim().split("\n");
    expect(quickStart).toHaveLength(2);
    expect(readFileSync(join(PROJECT, ".ci/run"), "utf8")).toContain(`\n${quickStart[1]} -- `);
  });
});
