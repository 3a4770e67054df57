import sharp from "sharp";
import { spawn } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { freePort, freshClone, PROJECT, projectFiles, rawExport, sh, tempDir, until } from "./helpers.js";


/** The README's command lines of shell code blocks that start with the given words. */
function readmeCommands(start: string): string[] {
  const readme = readFileSync(join(PROJECT, "README.md"), "utf8");
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap((block) => block.split("\n")).map((line) => line.replace(/\s+#.*$/, "").trim()).filter((line) => line.startsWith(start));
}

describe("the repository", () => {
  it("reads nothing outside its own tree", () => {
    const escapes = projectFiles()
      .filter((file) => !file.startsWith("tests/fixtures/") && /\.(ts|js|mjs|json|njk|sh)$|^\.ci\//.test(file))
      .filter((file) => /\.\.\/shared|\.\.\/\.\.\/\.\.\//.test(readFileSync(join(PROJECT, file), "utf8")));
    expect(escapes).toEqual([]);
  });

  it("passes its own tests in a clone with no folder beside it", () => {
    const repo = freshClone();
    expect(existsSync(join(dirname(repo), "shared"))).toBe(false);
    const run = sh(repo, "npx vitest run tests/parse.test.ts tests/records.test.ts --reporter=dot");
    expect(run.status, run.stdout + run.stderr).toBe(0);
  });
});

describe("the README's commands, run as printed in a fresh clone", () => {
  let repo: string;

  beforeAll(() => {
    repo = freshClone();
  });

  it("builds with SITE_URL, then checks the site with no SITE_URL repeated", () => {
    const build = sh(repo, "npm run build", { SITE_URL: "https://news.example.com" });
    expect(build.status, build.stderr).toBe(0);
    const check = sh(repo, "npm run check");
    expect(check.status, check.stdout).toBe(0);
    expect(check.stdout).toMatch(/✔ no problems/);
  });

  it("writes a JSON report that JSON.parse accepts with the documented command", () => {
    const [command] = readmeCommands("npm run").filter((line) => line.includes("--json >"));
    expect(command).toBeDefined();
    if (!existsSync(join(repo, "_site"))) expect(sh(repo, "npm run build").status).toBe(0);
    const run = sh(repo, command);
    expect(run.status, run.stderr).toBe(0);
    const file = command.slice(command.indexOf(">") + 1).trim();
    const report = JSON.parse(readFileSync(join(repo, file), "utf8"));
    expect(report.problems).toEqual([]);
  });

  it("leaves no search index behind a build with --no-search, and the check says the search page has none", () => {
    expect(sh(repo, "npm run build").status).toBe(0);
    expect(existsSync(join(repo, "_site/pagefind/2021/pagefind.js"))).toBe(true);
    const build = sh(repo, "npm run build -- --no-search");
    expect(build.status, build.stderr).toBe(0);
    expect(existsSync(join(repo, "_site/pagefind"))).toBe(false);
    const check = sh(repo, "npm run --silent check -- --json");
    expect(check.status).toBe(1);
    expect(JSON.parse(check.stdout).problems).toContainEqual(expect.objectContaining({ page: "/search/", rule: "search-index" }));
  });

  it("notices a search index that disagrees with the archive", () => {
    expect(sh(repo, "npm run build").status).toBe(0);
    const index = join(tempDir("index-"), "pagefind");
    cpSync(join(repo, "_site/pagefind"), index, { recursive: true });
    const added = join(repo, "content/articles/zz-new.txt");
    writeFileSync(added, rawExport({ section: "Biz updates", headline: "A newer headline for the index", date: "2023-04-30", paragraphs: ["Later."] }));
    expect(sh(repo, "npm run build").status).toBe(0);
    rmSync(join(repo, "_site/pagefind"), { recursive: true });
    cpSync(index, join(repo, "_site/pagefind"), { recursive: true });
    const check = sh(repo, "npm run --silent check -- --json");
    expect(check.status).toBe(1);
    expect(JSON.parse(check.stdout).problems).toContainEqual(expect.objectContaining({ page: "/search/", rule: "search-index", message: expect.stringMatching(/stale/) }));
    rmSync(added);
  });

  it.each([
    ["one kill of the PID npm started", (pid: number) => process.kill(pid, "SIGTERM")],
    ["one Ctrl-C", (pid: number) => process.kill(-pid, "SIGINT")],
  ])("stops npm start with %s, leaving nothing serving", async (_, stop) => {
    const port = await freePort();
    const out = join(tempDir("serve-"), "dev-site");
    // A process group of its own, as a terminal gives a foreground job: Ctrl-C reaches every process in it.
    const server = spawn("npm", ["start", "--", `--port=${port}`, `--out=${out}`], { cwd: repo, detached: true, stdio: "ignore" });
    const group = server.pid!;
    try {
      await until("the dev server to serve", async () => (await fetch(`http://127.0.0.1:${port}/`)).ok);
      stop(group);
      await until("every process of npm start to end", () => !alive(group));
      await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    } finally {
      if (alive(group)) process.kill(-group, "SIGKILL");
    }
  });

  it("serves the search index and an article's photo from a dev site named relative to the project", async () => {
    const port = await freePort();
    const picture = join(repo, "content/articles/002_911a0816af94599d.jpg");
    writeFileSync(picture, await sharp({ create: { width: 800, height: 500, channels: 3, background: { r: 90, g: 60, b: 30 } } }).jpeg().toBuffer());
    const server = spawn("npm", ["start", "--", `--port=${port}`, "--out=dev-site"], { cwd: repo, detached: true, stdio: "ignore" });
    try {
      const origin = `http://127.0.0.1:${port}`;
      // The build's shards: the newest month's, and each year's.
      for (const shard of ["2023-04", "2021", "2020"]) await until(`the search index of ${shard}`, async () => (await fetch(`${origin}/pagefind/${shard}/pagefind-entry.json`)).ok);
      const page = await (await fetch(`${origin}/2021/08/31/harbin-trade-comes-bouncing-back-in-first-half-in-epidemic-recovery/`)).text();
      const src = /<img src="([^"]+)"/.exec(page)![1];
      const image = await fetch(origin + src);
      expect(image.headers.get("content-type")).toBe("image/jpeg");
    } finally {
      process.kill(-server.pid!, "SIGKILL");
      rmSync(picture);
    }
  });
});

/** Whether any process of a process group is left. */
function alive(group: number): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}
