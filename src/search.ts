import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { SearchShard } from "./archive.js";
import { linkOrCopy } from "./output.js";
import { outputPath, SEARCH_INDEX_URL } from "./urls.js";

/**
 * Full-text search is a few Pagefind indexes, the archive's search shards
 * (a year's articles, or the newest month's), which the search page merges
 * in the browser (Pagefind's `mergeIndex`). A new or corrected article
 * touches the index of its own shard only, so a rebuild indexes a month's
 * or a year's pages rather than the archive's, and a full build indexes the
 * shards side by side, one Pagefind process per core.
 */

/** Pagefind's own launcher, which finds the binary for this platform (or PAGEFIND_BINARY_PATH). */
function launcher(): string {
  return join(dirname(fileURLToPath(import.meta.resolve("pagefind"))), "runner", "bin.cjs");
}

/** An error of the machine that Pagefind reports in words, as the file system error it stands for. */
function pagefindError(stderr: string, where: string): Error {
  const message = `search index: Pagefind failed: ${stderr.trim().split("\n").slice(-3).join("; ") || "no message"}`;
  const code = /No space left on device/i.test(stderr) ? "ENOSPC" : /Permission denied/i.test(stderr) ? "EACCES" : undefined;
  return Object.assign(new Error(message), code ? { code, path: where } : {});
}

/**
 * Run the Pagefind CLI, which reads pages in parallel and costs a third less
 * than its Node API. It starts in `cwd`, a folder of this build's own, so
 * that no configuration file of wherever the build was started changes the
 * index.
 */
function runPagefind(args: string[], cwd: string, output: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [launcher(), ...args, "--output-path", output, "--silent"], { cwd, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status, signal) => (status === 0 ? resolvePromise() : reject(pagefindError(stderr || `ended by ${signal ?? `exit status ${status}`}`, output))));
  });
}

// Pagefind's ready-made search interfaces, which the search page does not use: a shard's index is a third of its size without them.
const UNUSED = /^pagefind-(ui|modular-ui|component-ui|highlight)\./;

/** Index into `output`, keeping only what the search page loads. */
async function writeIndex(args: string[], cwd: string, output: string): Promise<void> {
  await runPagefind(args, cwd, output);
  for (const name of readdirSync(output)) if (UNUSED.test(name)) rmSync(join(output, name));
}

/** Run `tasks` with at most `limit` at a time. */
async function inParallel(tasks: (() => Promise<void>)[], limit: number): Promise<void> {
  const queue = [...tasks];
  const lane = async () => {
    for (let task = queue.shift(); task; task = queue.shift()) await task();
  };
  await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, lane));
}

/**
 * A Pagefind glob matching these pages' files and no others: a brace list of
 * their paths. An article's URL is made of its date and slug, which hold
 * none of the glob's special characters; they are escaped all the same.
 */
function globOf(urls: string[]): string {
  return `{${urls.map((url) => outputPath(url).slice(1).replace(/[{}[\]*?()<>:,$]/g, (c) => `\\${c}`)).join(",")}}`;
}

/**
 * Index each shard's articles into `siteDir`, from the site folder that
 * `rootOf` names for each URL (an incremental build passes unchanged pages
 * from the live site). Pagefind reads a shard's pages where they are when
 * one folder holds them all, told by a glob which ones; otherwise they are
 * gathered by hard links into a folder laid out as the site is, so that
 * Pagefind sees each at its own URL. The glob comes in a `pagefind.json`
 * of a folder of the build's own, where Pagefind starts.
 */
export async function indexShards(shards: SearchShard[], rootOf: (url: string) => string, siteDir: string, parallel = availableParallelism()): Promise<void> {
  // Absolute: Pagefind starts in a folder of its own.
  const out = resolve(siteDir);
  const tasks = shards.map((shard, i) => async () => {
    const own = join(out, `.search-${i}`);
    try {
      const roots = new Set(shard.articles.map(rootOf));
      let pages = resolve([...roots][0]);
      if (roots.size > 1) {
        pages = join(own, "site");
        for (const url of shard.articles) {
          const [file, target] = [join(rootOf(url), outputPath(url)), join(pages, outputPath(url))];
          mkdirSync(dirname(target), { recursive: true });
          linkOrCopy(file, target);
        }
      }
      mkdirSync(own, { recursive: true });
      writeFileSync(join(own, "pagefind.json"), JSON.stringify({ glob: globOf(shard.articles) }));
      await writeIndex(["--site", pages], own, join(out, shard.url));
    } finally {
      rmSync(own, { recursive: true, force: true });
    }
  });
  await inParallel(tasks, parallel);
}

/** Index a whole site a plain Eleventy run built, in place of the index it had. */
export async function indexSite(dir: string, shards: SearchShard[]): Promise<void> {
  rmSync(join(dir, SEARCH_INDEX_URL), { recursive: true, force: true });
  await indexShards(shards, () => dir, dir);
}
