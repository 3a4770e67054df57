import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, watch, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { ledgerPath } from "../src/ledger.js";
import { parseExport } from "../src/parse.js";
import { articleUrl, outputPath } from "../src/urls.js";
import { PROJECT, SEED_FILES, articlesWith, buildSite, fileHashes, leftovers, readPage, runCli, seedText, startDevServer, tempDir, until } from "./helpers.js";

/** One hash over every file of a folder: its relative paths and bytes. */
function hashTree(dir: string): string {
  const hashes = fileHashes(dir);
  expect(Object.keys(hashes).length).toBeGreaterThan(0);
  return createHash("sha256").update(JSON.stringify(hashes)).digest("hex");
}

/** A good site in a fresh folder, with its hash. */
function goodSite(): { out: string; hash: string } {
  const site = buildSite(articlesWith());
  expect(site.stderr).toBe("");
  expect(site.status).toBe(0);
  return { out: site.out, hash: hashTree(site.out) };
}

/** The seeds plus `count` more valid exports, so that Eleventy runs long enough to be interrupted. */
function manyArticles(count: number): string {
  const extra: Record<string, string> = {};
  for (let i = 0; i < count; i++) {
    const day = String((i % 28) + 1).padStart(2, "0");
    extra[`bulk-${i}.txt`] = `Home>Bulk\n\nBulk article number ${i}\n\nUpdated : 2019-03-${day}\n\nBy ( test )\n\nParagraph ${i} of the bulk.\n`;
  }
  return articlesWith(extra);
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Run the build CLI in `cwd`; `watching` may act on the output's parent folder while it runs. */
function startBuild(args: string[], cwd: string, watching?: (name: string, kill: (signal: NodeJS.Signals) => void) => void, parent?: string): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", join(PROJECT, "src/cli/build.ts"), ...args], { cwd });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const watcher = watching && parent ? watch(parent, (_event, name) => name && watching(String(name), (signal) => child.kill(signal))) : undefined;
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      watcher?.close();
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Build `articles` into `out` and send `signal` as soon as the half-written
 * folder appears, that is while Eleventy writes; `repeatMs`: then again at
 * that interval until the build ends.
 */
async function interruptBuild(articles: string, out: string, signal: NodeJS.Signals, repeatMs?: number): Promise<Run> {
  let sent = false;
  let repeating: NodeJS.Timeout | undefined;
  const run = await startBuild(["--out", out, "--articles", articles], PROJECT, (name, kill) => {
    if (sent || name !== `.${basename(out)}.partial`) return;
    sent = true;
    kill(signal);
    if (repeatMs) repeating = setInterval(() => kill(signal), repeatMs);
  }, dirname(out));
  clearInterval(repeating);
  return run;
}

describe("a failed build leaves the previous site as it was", () => {
  it("after a bad article: exit 1, the file named on stderr, nothing on stdout", () => {
    const { out, hash } = goodSite();
    const failed = buildSite(articlesWith({ "bad.txt": "Not an export\n" }), {}, out);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toMatch(/bad\.txt:1: expected a breadcrumb/);
    expect(hashTree(out)).toBe(hash);
    expect(leftovers(out)).toEqual([]);
  });

  it("after a template error: exit 2, the template named", async () => {
    const { out, hash } = goodSite();
    // A copy of the project whose home page template calls a filter that does not exist.
    const project = tempDir("project-");
    for (const part of ["content", "templates", ".eleventy.ts", "package.json"]) cpSync(join(PROJECT, part), join(project, part), { recursive: true });
    for (const part of ["src", "node_modules"]) symlinkSync(join(PROJECT, part), join(project, part));
    appendFileSync(join(project, "content/index.njk"), "{{ 1 | noSuchFilter }}\n");
    const run = await startBuild(["--out", out, "--articles", articlesWith()], project);
    expect(run.stderr).toMatch(/index\.njk/);
    expect(run.stderr).toMatch(/noSuchFilter/);
    expect(run.stdout).toBe("");
    expect(run.code).toBe(2);
    expect(hashTree(out)).toBe(hash);
    expect(leftovers(out)).toEqual([]);
  });

  it("after a bad SITE_URL or a usage error: exit 2, nothing on stdout", () => {
    const { out, hash } = goodSite();
    const badUrl = buildSite(articlesWith(), { SITE_URL: "ftp://example.org" }, out);
    expect(badUrl.status).toBe(2);
    expect(badUrl.stdout).toBe("");
    expect(badUrl.stderr).toMatch(/^SITE_URL: expected an absolute http\(s\) URL/);
    const unknownFlag = runCli("build.ts", ["--out", out, "--bogus"]);
    expect(unknownFlag.status).toBe(2);
    expect(unknownFlag.stdout).toBe("");
    expect(unknownFlag.stderr).toMatch(/--bogus[\s\S]*usage:/);
    const noFolder = buildSite(join(tempDir(), "missing"), {}, out);
    expect(noFolder.status).toBe(2);
    expect(noFolder.stderr).toMatch(/expected a folder of articles/);
    expect(hashTree(out)).toBe(hash);
    expect(leftovers(out)).toEqual([]);
  });

  it("refuses an output folder that would replace the sources", () => {
    const articles = articlesWith();
    const before = hashTree(articles);
    for (const out of [articles, join(articles, "site"), dirname(articles)]) {
      const run = buildSite(articles, {}, out);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/expected an output folder apart from the sources/);
    }
    expect(hashTree(articles)).toBe(before);
    const file = join(tempDir(), "site.txt");
    writeFileSync(file, "not a folder");
    const onFile = buildSite(articles, {}, file);
    expect(onFile.status).toBe(2);
    expect(onFile.stderr).toMatch(/expected an output folder, found a file/);
    expect(readFileSync(file, "utf8")).toBe("not a folder");
  });

  it("after Ctrl-C while Eleventy writes: the old site, no half-written folder", async () => {
    const { out, hash } = goodSite();
    const run = await interruptBuild(manyArticles(300), out, "SIGINT");
    expect(run.signal).toBe("SIGINT");
    expect(run.stdout).toBe("");
    expect(hashTree(out)).toBe(hash);
    expect(leftovers(out)).toEqual([]);
  });

  it("after Ctrl-C passed on again while the build clears up (npm's and the terminal's): the old site, nothing left", async () => {
    const { out, hash } = goodSite();
    const run = await interruptBuild(manyArticles(300), out, "SIGINT", 1);
    expect(run.signal).toBe("SIGINT");
    expect(hashTree(out)).toBe(hash);
    expect(leftovers(out)).toEqual([]);
  });

  it("after a hard kill: the old site stays, and the next build clears what was left", async () => {
    const { out, hash } = goodSite();
    const run = await interruptBuild(manyArticles(300), out, "SIGKILL");
    expect(run.signal).toBe("SIGKILL");
    expect(hashTree(out)).toBe(hash);
    // Killed outright, the build could not clean up: its half-written folder, its lock and its spooled runs are still there.
    expect(leftovers(out)).toEqual([`.${basename(out)}.lock`, `.${basename(out)}.partial`, `.${basename(out)}.runs`]);
    const failed = buildSite(articlesWith({ "bad.txt": "Not an export\n" }), {}, out);
    expect(failed.status).toBe(1);
    expect(hashTree(out)).toBe(hash);
    expect(leftovers(out)).toEqual([]);
  });

  it("after a kill between moving the old site aside and putting the new one in place: the old site comes back", () => {
    const { out, hash } = goodSite();
    renameSync(out, join(dirname(out), `.${basename(out)}.old`));
    mkdirSync(join(dirname(out), `.${basename(out)}.partial`));
    const failed = buildSite(articlesWith({ "bad.txt": "Not an export\n" }), {}, out);
    expect(failed.status).toBe(1);
    expect(existsSync(out)).toBe(true);
    expect(hashTree(out)).toBe(hash);
    expect(leftovers(out)).toEqual([]);
  });

  it("after a worker process is killed: exit 2, the worker named, the old site, nothing left", async () => {
    const { out, hash } = goodSite();
    let killed = false;
    const run = await new Promise<Run>((resolvePromise, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", join(PROJECT, "src/cli/build.ts"), "--out", out, "--articles", manyArticles(200), "--workers", "2", "--pages-per-run", "20"], { cwd: PROJECT });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk) => (stdout += chunk));
      child.stderr.on("data", (chunk) => (stderr += chunk));
      // Kill the first worker the build starts, as the kernel's OOM killer would.
      const poll = setInterval(() => {
        try {
          const [worker] = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim().split(" ").filter(Boolean).map(Number);
          if (worker && !killed) {
            process.kill(worker, "SIGKILL");
            killed = true;
          }
        } catch {
          // Not started, or gone.
        }
      }, 20);
      child.on("error", reject);
      child.on("exit", (code, signal) => {
        clearInterval(poll);
        resolvePromise({ code, signal, stdout, stderr });
      });
    });
    expect(killed).toBe(true);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/expected the render worker \(process \d+\) to write its pages, found it ended by SIGKILL/);
    expect(run.stdout).toBe("");
    expect(hashTree(out)).toBe(hash);
    expect(leftovers(out)).toEqual([]);
  });

  it("two builds into one folder at once both succeed and leave one whole site", async () => {
    const { out } = goodSite();
    const articles = manyArticles(100);
    const runs = await Promise.all([1, 2].map(() => startBuild(["--out", out, "--articles", articles], PROJECT)));
    for (const run of runs) {
      // One of them may have waited for the other.
      expect(run.stderr).toMatch(/^(waiting for the build in process \d+ to finish writing .*\n)?$/);
      expect(run.code).toBe(0);
    }
    expect(runs.filter((run) => run.stderr !== "").length).toBeLessThanOrEqual(1);
    const alone = buildSite(articles);
    expect(hashTree(out)).toBe(hashTree(alone.out));
    expect(leftovers(out)).toEqual([]);
  });

  it("a good build after a good one replaces the site", () => {
    const { out, hash } = goodSite();
    const extra = `Home>Harbin Today\n\nA later article\n\nUpdated : 2024-01-02\n\nBy ( test )\n\nA new paragraph.\n`;
    const next = buildSite(articlesWith({ "later.txt": extra }), {}, out);
    expect(next.status).toBe(0);
    expect(next.stderr).toBe("");
    // The pages the new article does not touch are taken from the previous site.
    expect(next.stdout).toMatch(/^Built \d+ pages of 6 articles into .* in [\d.]+ s \(\d+ written, \d+ unchanged\)\nNew article URLs recorded in .*\n$/);
    expect(hashTree(out)).not.toBe(hash);
    expect(readPage(out, "/")).toContain("A later article");
    expect(leftovers(out)).toEqual([]);
  });
});

describe("the dev server", () => {
  it("starts again from its last site, writing only what changed while it was down", async () => {
    const articles = articlesWith();
    const out = join(tempDir("serve-"), "dev-site");
    const serveOnce = async (): Promise<string> => {
      const server = await startDevServer(articles, out);
      try {
        await until("the build", () => /^Built /m.test(server.output()));
        await until("the dev server to serve", async () => (await fetch(`${server.origin}/`)).ok);
      } finally {
        await server.stop();
      }
      return server.output();
    };
    expect(await serveOnce()).toMatch(/^Built \d+ pages of 5 articles into .* in [\d.]+ s\n/m);
    const [gone] = SEED_FILES;
    rmSync(join(articles, gone));
    expect(await serveOnce()).toMatch(/^Built \d+ pages of 4 articles into .* \(\d+ written, \d+ unchanged\)\n/m);
    expect(existsSync(join(out, outputPath(articleUrl(parseExport(seedText(gone)).record!))))).toBe(false);
  });

  it("shows a bad article's error, keeps serving the last good site, follows added and deleted files, and publishes nothing", async () => {
    const articles = articlesWith();
    const server = await startDevServer(articles, join(tempDir("serve-"), "_site"));
    const get = async (url: string) => {
      const response = await fetch(`${server.origin}${url}`);
      return { status: response.status, text: await response.text() };
    };
    const seed = parseExport(seedText(SEED_FILES[0])).record!;
    const export_ = (headline: string, date: string) => `Home>Harbin Today\n${headline}\nUpdated : ${date}\nBy ( test )\n\nThe body of ${headline}.\n`;
    try {
      await until("the first build", async () => (await get("/")).text.includes(seed.headline));

      writeFileSync(join(articles, "zz-edit.txt"), export_("Edited later", "2024-13-45"));
      await until("the error of the bad file", () => /zz-edit\.txt:3: expected a calendar date/.test(server.output()));
      const home = await get("/");
      expect(home.status).toBe(200);
      expect(home.text).toContain(seed.headline);
      expect((await get(articleUrl(seed))).text).toContain(seed.headline);

      writeFileSync(join(articles, "zz-edit.txt"), export_("Edited later", "2024-01-05"));
      await until("the fixed article", async () => (await get(articleUrl({ headline: "Edited later", date: "2024-01-05" }))).text.includes("The body of Edited later."));
      expect((await get("/")).text).toContain("Edited later");

      const added = articleUrl({ headline: "A brand new article", date: "2024-02-01" });
      writeFileSync(join(articles, "zz-new.txt"), export_("A brand new article", "2024-02-01"));
      await until("the new article", async () => (await get("/")).text.includes("A brand new article"));
      expect((await get(added)).status).toBe(200);

      rmSync(join(articles, "zz-new.txt"));
      await until("the deleted article off the home page", async () => !(await get("/")).text.includes("A brand new article"));
      expect((await get(added)).status).toBe(404);
      // A preview: the URLs it showed were never published, so the ledger beside the articles is not written.
      expect(existsSync(ledgerPath(articles))).toBe(false);
    } finally {
      await server.stop();
    }
  });
});
