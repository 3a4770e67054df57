import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { constants, cpus, loadavg, totalmem } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { linkOrCopy } from "../src/output.js";
import { median } from "./median.js";
import { measureDevServer, type DevServerFigures } from "./dev-server.js";
import { measureSearchPage, type SearchPageFigures } from "./search-page.js";
import { BENCH_DIR, PHOTO_SHARE, WORK_DIR, ensureArchive, ensurePhotos, type ArchivePaths } from "./generate.js";

/**
 * `npm run bench [-- --sizes 1000,10000] [-- --runs 3]`: the project's full
 * build against a bare Eleventy site over the same synthetic archive, then
 * the incremental case, written to bench/results.md. `--commit REF` measures
 * a snapshot of that commit instead of the working tree.
 */

const PROJECT = join(BENCH_DIR, "..");
const ELEVENTY = join(PROJECT, "node_modules/@11ty/eleventy/cmd.cjs");
const SAMPLE_MS = 50;
const PAGEFIND_CLI = join(PROJECT, "node_modules/pagefind/lib/runner/bin.cjs");
// Hugo from the machine's packages (Debian: apt-get install hugo); without it, its columns read n/a.
const HUGO = ["/usr/bin/hugo", "/usr/local/bin/hugo"].find((path) => existsSync(path)) ?? null;
const PAGE_BYTES = Number(execFileSync("getconf", ["PAGESIZE"], { encoding: "utf8" }).trim()) || 4096;

interface Measurement {
  ms: number;
  /** Peak of the summed RSS of every process of the tree, in bytes. */
  peakRss: number;
  /** User + system CPU time of the whole tree, in seconds: the figure a busy shared machine distorts least. */
  cpuS: number;
  stdout: string;
}

/** Every process's parent and RSS, read from /proc. */
function processTable(): Map<number, { ppid: number; rss: number }> {
  const table = new Map<number, { ppid: number; rss: number }>();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue; // gone since the listing
    }
    // The command name may hold spaces and parentheses: the fields start after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    table.set(Number(name), { ppid: Number(fields[1]), rss: Number(fields[21]) * PAGE_BYTES });
  }
  return table;
}

/** Summed RSS of the processes below `root`, not counting `root` itself. */
function treeRss(root: number): number {
  const table = processTable();
  const children = new Map<number, number[]>();
  for (const [pid, { ppid }] of table) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  let total = 0;
  const stack = [...(children.get(root) ?? [])];
  while (stack.length) {
    const pid = stack.pop()!;
    total += table.get(pid)?.rss ?? 0;
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

/** `0m1.250s` -> 1.25 */
function seconds(text: string): number {
  const m = /^(\d+)m([\d.]+)s$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
}

/** A command stopped at the time it was given. */
class TimeLimit extends Error {
  constructor(readonly seconds: number) {
    super(`stopped after ${seconds.toFixed(0)} s without finishing`);
  }
}

/** The command runs under bash, which reports a child killed by signal N as exit status 128 + N. */
function howItEnded(code: number | null): string {
  if (code === null || code <= 128) return `exited with ${code}`;
  const signal = Object.entries(constants.signals).find(([, number]) => number === code - 128)?.[0] ?? `signal ${code - 128}`;
  // SIGKILL from no one here is most likely the kernel's out-of-memory killer, which says so only in its log.
  return `was killed by ${signal} (exit status ${code})${signal === "SIGKILL" ? ", most likely by the kernel for want of memory (see dmesg)" : ""}`;
}

/**
 * Run a command to its end, sampling the RSS of its process tree. It runs
 * under a bash whose `times` gives the CPU time of every descendant reaped.
 * With `limitMs`, the whole tree is killed at that time (a TimeLimit).
 */
function measure(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}, limitMs?: number): Promise<Measurement> {
  const timesFile = join(WORK_DIR, `times-${process.pid}`);
  const script = 'f=$1; shift; "$@"; s=$?; times > "$f"; exit $s';
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn("bash", ["-c", script, "bash", timesFile, command, ...args], {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      // A group of its own, which a time limit kills whole.
      detached: limitMs !== undefined,
    });
    let stopped = false;
    const limit = limitMs === undefined ? undefined : setTimeout(() => ((stopped = true), process.kill(-child.pid!, "SIGKILL")), limitMs);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    let peakRss = 0;
    const sample = () => (peakRss = Math.max(peakRss, treeRss(child.pid!)));
    const timer = setInterval(sample, SAMPLE_MS);
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      clearInterval(timer);
      clearTimeout(limit);
      if (stopped) {
        rmSync(timesFile, { force: true });
        reject(new TimeLimit(ms / 1000));
        return;
      }
      if (code !== 0) {
        reject(new Error(`${command} ${args.join(" ")} ${howItEnded(code)}:\n${stderr}${stdout}`));
        return;
      }
      // `times` prints the shell's own user/sys times, then its children's.
      const [user, sys] = readFileSync(timesFile, "utf8").trim().split("\n")[1].split(/\s+/);
      rmSync(timesFile, { force: true });
      resolvePromise({ ms, peakRss, cpuS: seconds(user) + seconds(sys), stdout });
    });
  });
}

/** The median of one figure over a step's runs, or null when the step did not run. */
function medianOf(runs: Measurement[], figure: "ms" | "peakRss" | "cpuS"): number | null {
  return runs.length ? median(runs.map((m) => m[figure])) : null;
}

/** The median wall time of a step's runs in seconds, or null when it did not run. */
function wallSeconds(runs: Measurement[]): number | null {
  const ms = medianOf(runs, "ms");
  return ms === null ? null : ms / 1000;
}

/** Hard links where the file system allows, so a working copy of 50,000 files costs nothing. */
function linkFiles(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) linkOrCopy(join(from, name), join(to, name));
}

/** Every file of a tree with the hash of its bytes, by path. */
function treeHashes(root: string, dir = root, out = new Map<string, string>()): Map<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) treeHashes(root, path, out);
    else out.set(relative(root, path), createHash("sha256").update(readFileSync(path)).digest("hex"));
  }
  return out;
}

/** Paths that differ between two trees (or their treeHashes), at most `limit` of them; empty when byte-identical. */
function treeDifferences(a: string | Map<string, string>, b: string, limit = 5): string[] {
  const [left, right] = [typeof a === "string" ? treeHashes(a) : a, treeHashes(b)];
  const paths = [...new Set([...left.keys(), ...right.keys()])].sort();
  return paths.filter((p) => left.get(p) !== right.get(p)).slice(0, limit);
}

interface Options {
  /** The project whose build is measured: this checkout, or a snapshot of one commit. */
  project: string;
  /** Arguments that turn the search index off, or none when the CLI has no such flag. */
  searchOff: string[];
  /** Arguments that make the build write every page, or none when every build does. */
  full: string[];
  /** Arguments that keep the build to one process, or null when it has only one. */
  oneWorker: string[] | null;
  /** Whether the build indexes search per year and the check keeps its findings: then both are timed as a user runs them. */
  checks: boolean;
  /** Ours and Hugo alone: no bare Eleventy, search, checks or photos, which would take hours at the largest sizes; Hugo stopped at HUGO_LIMIT times ours' time. */
  large: boolean;
  /** Whether to time ours on one core too (a second full build). */
  oneCore: boolean;
}

// At the largest sizes Hugo may take an hour or more: once it has taken this many times ours' time, what the run has to tell is known.
const HUGO_LIMIT = 1.5;

/** The build CLI's flags for a build without Pagefind and for a full build, where it has them. */
function cliFlags(project: string): Pick<Options, "searchOff" | "full" | "oneWorker" | "checks"> {
  const help = execFileSync("node", ["--import", "tsx", "src/cli/build.ts", "--help"], { cwd: project, encoding: "utf8" });
  const checkHelp = execFileSync("node", ["--import", "tsx", "src/cli/check.ts", "--help"], { cwd: project, encoding: "utf8" });
  return {
    checks: checkHelp.includes("--full") && readFileSync(join(project, "src", "search.ts"), "utf8").includes("indexShards"),
    searchOff: help.includes("--no-search") ? ["--no-search"] : [],
    full: help.includes("--full") ? ["--full"] : [],
    oneWorker: help.includes("--workers") ? ["--workers", "1"] : null,
  };
}

/**
 * The files of one commit, with this checkout's node_modules, so that a long
 * run measures that commit even while others edit the working tree.
 */
function snapshot(ref: string): string {
  const sha = execFileSync("git", ["rev-parse", "--verify", `${ref}^{commit}`], { cwd: PROJECT, encoding: "utf8" }).trim();
  const dir = join(WORK_DIR, `snapshot-${sha.slice(0, 12)}`);
  if (existsSync(dir)) return dir;
  const temp = `${dir}.partial-${process.pid}`;
  mkdirSync(temp, { recursive: true });
  execFileSync("bash", ["-c", 'git archive "$1" | tar -x -C "$2"', "bash", sha, temp], { cwd: PROJECT });
  symlinkSync(join(PROJECT, "node_modules"), join(temp, "node_modules"));
  renameSync(temp, dir);
  return dir;
}

/** The build's cache of the project: parses, manifests and photo renditions. */
const cacheOf = (project: string) => join(project, "node_modules", ".cache", "news-archive");

/**
 * Ours without the search index unless `search`, as the bench's main figure measures the site alone.
 * A full build starts from nothing, as Hugo's does: the saved parses of the run before are removed.
 */
function buildOurs(articles: string, out: string, full: boolean, options: Options, extra: string[] = [], search = false): Promise<Measurement> {
  if (full) for (const file of ["files.json", "parses", "bodies"]) rmSync(join(cacheOf(options.project), file), { force: true });
  // ARCHIVE_SEARCH=off is what the configuration read before the CLI had a flag for it.
  const env = search || options.searchOff.length ? {} : { ARCHIVE_SEARCH: "off" };
  const args = ["--import", "tsx", "src/cli/build.ts", "--articles", articles, "--out", out, ...(search ? [] : options.searchOff), ...(full ? options.full : []), ...extra];
  return measure(options.project, "node", args, env);
}

interface Row {
  n: number;
  ours: number;
  baseline: number | null;
  oursPeak: number;
  baselinePeak: number | null;
  oursCpu: number;
  baselineCpu: number | null;
  /** The same full build on one core, where the CLI can be told so. */
  oneWorker: number | null;
  pagefind: number | null;
  incremental: number;
  oursPages: number;
  baselinePages: number | null;
  searchIncluded: boolean;
  identical: string[];
  /** Hugo's build of the same Markdown, and the Pagefind CLI over its output; null without Hugo. */
  hugo: number | null;
  /** How Hugo's build failed, when it did. */
  hugoFailure: string | null;
  /** When Hugo was stopped at its time limit, the seconds it had run. */
  hugoStopped: number | null;
  hugoCpu: number | null;
  hugoPagefind: number | null;
  /** Ours with the search index, as a user runs it: a full build, then one article added. */
  searchFull: number | null;
  searchPeak: number | null;
  searchIncremental: number | null;
  searchIdentical: string[];
  /** `npm run check` over the full build, with `--full`, then after the one-article rebuild. */
  checkFull: number | null;
  checkIncremental: number | null;
  /** The search page over the full build with search, and over one index of the same articles. */
  searchPage: SearchPageFigures | null;
  /** `npm start` over the N articles: until it serves, then until one article dropped in shows. */
  devServer: DevServerFigures | null;
  photos: PhotoRow | null;
}

/** The same archive with a photo for one article in PHOTO_SHARE: full builds with the photo cache empty and full, and one article with a photo added. */
interface PhotoRow {
  count: number;
  cold: number;
  warm: number;
  incremental: number;
  identical: string[];
}

/**
 * Time the photos once per size (making a thousand photos takes minutes):
 * no search, every build on every core, as ours is timed.
 */
async function benchPhotos(n: number, archive: ArchivePaths, work: string, options: Options, log: (m: string) => void): Promise<PhotoRow | null> {
  if (!existsSync(join(options.project, "src", "photos.ts"))) return null;
  const { photos, extraPhoto, count } = await ensurePhotos(n, archive, log);
  const articles = join(work, "articles-photos");
  linkFiles(archive.raw, articles);
  linkFiles(photos, articles);
  const out = join(work, "photos-out");
  log(`N=${n}: ours with ${count} photos, none made yet`);
  rmSync(join(cacheOf(options.project), "photos"), { recursive: true, force: true });
  const cold = await buildOurs(articles, out, true, options);
  log(`N=${n}: ours with ${count} photos, all made`);
  const warm = await buildOurs(articles, join(work, "photos-warm-out"), true, options);
  log(`N=${n}: ours with photos + 1 article with a photo`);
  linkFiles(archive.extraRaw, articles);
  linkFiles(dirname(extraPhoto), articles);
  const incremental = await buildOurs(articles, out, false, options);
  const reference = join(work, "photos-reference-out");
  await buildOurs(articles, reference, true, options);
  return { count, cold: cold.ms / 1000, warm: warm.ms / 1000, incremental: incremental.ms / 1000, identical: treeDifferences(out, reference) };
}

async function benchSize(n: number, runs: number, options: Options, log: (m: string) => void): Promise<Row> {
  const archive = ensureArchive(n, log);
  const work = join(WORK_DIR, `n${n}`);
  rmSync(work, { recursive: true, force: true });
  const baselineSite = join(work, "baseline-site");
  cpSync(join(BENCH_DIR, "baseline", "site"), baselineSite, { recursive: true });
  linkFiles(archive.markdown, join(baselineSite, "articles"));
  // One folder for N and N+1 articles, as a newsroom's: paths are part of what a build sees.
  const articles = join(work, "articles");
  linkFiles(archive.raw, articles);
  const extra = join(articles, archive.extraName);
  const oursOut = join(work, "ours-out");
  const baselineOut = join(work, "baseline-out");
  const pagefindAvailable = !options.large && existsSync(join(options.project, "src", "search.ts"));
  const checks = options.checks && !options.large;
  const hugoSite = join(work, "hugo-site");
  const hugoOut = join(work, "hugo-out");
  if (HUGO) {
    cpSync(join(BENCH_DIR, "hugo"), hugoSite, { recursive: true });
    linkFiles(archive.markdown, join(hugoSite, "content", "articles"));
  }
  const searchOut = join(work, "search-out");

  const ours: Measurement[] = [];
  const baseline: Measurement[] = [];
  const pagefind: Measurement[] = [];
  const incremental: Measurement[] = [];
  const oneWorker: Measurement[] = [];
  const hugo: Measurement[] = [];
  const hugoPagefind: Measurement[] = [];
  const searchFull: Measurement[] = [];
  const searchIncremental: Measurement[] = [];
  const checkFull: Measurement[] = [];
  const checkIncremental: Measurement[] = [];
  let searchIncluded = false;
  let searchPage: SearchPageFigures | null = null;
  let devServer: DevServerFigures | null = null;
  let hugoFailure: string | null = null;
  let hugoStopped: number | null = null;
  for (let run = 1; run <= runs; run++) {
    // Each full build starts from nothing: no previous output to reuse.
    rmSync(oursOut, { recursive: true, force: true });
    rmSync(extra, { force: true });
    // The baseline first: by the time ours builds, the article files are older than a build, as a
    // newsroom's are (a build reads again the files changed in the 2 s before the one before it).
    rmSync(baselineOut, { recursive: true, force: true });
    if (options.large) await new Promise((resolvePromise) => setTimeout(resolvePromise, 2000));
    else {
      log(`N=${n} run ${run}/${runs}: baseline`);
      baseline.push(
        await measure(PROJECT, "node", [ELEVENTY, `--config=${join(BENCH_DIR, "baseline", ".eleventy.js")}`, `--input=${relative(PROJECT, baselineSite)}`, `--output=${relative(PROJECT, baselineOut)}`, "--quiet"]),
      );
      rmSync(baselineOut, { recursive: true, force: true });
    }
    log(`N=${n} run ${run}/${runs}: ours`);
    ours.push(await buildOurs(articles, oursOut, true, options));
    searchIncluded = existsSync(join(oursOut, "pagefind"));
    if (options.oneWorker && options.oneCore) {
      log(`N=${n} run ${run}/${runs}: ours on one core`);
      const oneWorkerOut = join(work, "one-worker-out");
      oneWorker.push(await buildOurs(articles, oneWorkerOut, true, options, options.oneWorker));
      // Outputs no later step reads go at once: a million articles' sites would not fit on the disk side by side.
      rmSync(oneWorkerOut, { recursive: true, force: true });
    }
    if (pagefindAvailable && !searchIncluded) {
      log(`N=${n} run ${run}/${runs}: pagefind`);
      pagefind.push(await measure(options.project, "node", ["--import", "tsx", "bench/pagefind.ts", oursOut, articles, join(work, "pagefind-out")]));
    }
    if (HUGO) {
      rmSync(hugoOut, { recursive: true, force: true });
      log(`N=${n} run ${run}/${runs}: Hugo`);
      // Hugo may run out of this machine's memory on a large archive: that is a finding, not the end of the run.
      try {
        hugo.push(await measure(PROJECT, HUGO, ["--source", hugoSite, "--destination", hugoOut, "--quiet"], {}, options.large ? HUGO_LIMIT * ours.at(-1)!.ms : undefined));
      } catch (error) {
        if (error instanceof TimeLimit) hugoStopped = error.seconds;
        hugoFailure ??= (error as Error).message.split("\n").slice(0, 2).join(" ").replace(HUGO, "hugo");
        log(`N=${n}: ${hugoFailure}`);
      }
      if (!options.large && hugo.length > 0) {
        log(`N=${n} run ${run}/${runs}: Pagefind CLI over Hugo's site`);
        hugoPagefind.push(await measure(PROJECT, "node", [PAGEFIND_CLI, "--site", hugoOut, "--silent"]));
      }
      rmSync(hugoOut, { recursive: true, force: true });
    }
    if (checks) {
      rmSync(searchOut, { recursive: true, force: true });
      log(`N=${n} run ${run}/${runs}: ours with search`);
      searchFull.push(await buildOurs(articles, searchOut, true, options, [], true));
      log(`N=${n} run ${run}/${runs}: full check`);
      checkFull.push(await checkOurs(articles, searchOut, options, ["--full"]));
      if (run === 1) {
        log(`N=${n}: the search page in Chromium`);
        searchPage = await measureSearchPage(searchOut, PAGEFIND_CLI);
      }
    }
    // The incremental case: the N-article site is in place, one article arrives.
    log(`N=${n} run ${run}/${runs}: ours + 1 article`);
    linkFiles(archive.extraRaw, articles);
    incremental.push(await buildOurs(articles, oursOut, false, options));
    if (checks) {
      log(`N=${n} run ${run}/${runs}: ours with search + 1 article`);
      searchIncremental.push(await buildOurs(articles, searchOut, false, options, [], true));
      log(`N=${n} run ${run}/${runs}: check after 1 article`);
      checkIncremental.push(await checkOurs(articles, searchOut, options));
      if (run === 1) {
        log(`N=${n}: the dev server`);
        rmSync(extra);
        devServer = await measureDevServer(options.project, articles, join(archive.extraRaw, archive.extraName), () => linkFiles(archive.extraRaw, articles), join(work, "dev-site"));
      }
    }
  }
  // Hashed before the reference is built: at the largest sizes the two sites would not fit on the disk side by side.
  const oursHashes = treeHashes(oursOut);
  if (options.large) rmSync(oursOut, { recursive: true, force: true });
  const reference = join(work, "reference-out");
  log(`N=${n}: full build of the same N+1 articles, to compare`);
  await buildOurs(articles, reference, true, options, [], checks);
  // The build without search differs from the reference only by the index and the stamp that says so.
  const withoutSearch = (paths: string[]) => (checks ? paths.filter((p) => !p.startsWith("pagefind/") && p !== ".news-archive.json") : paths);
  const pages = (m: Measurement, pattern: RegExp) => Number(pattern.exec(m.stdout)?.[1] ?? NaN);
  return {
    n,
    ours: wallSeconds(ours)!,
    baseline: wallSeconds(baseline),
    oursPeak: medianOf(ours, "peakRss")!,
    baselinePeak: medianOf(baseline, "peakRss"),
    oursCpu: medianOf(ours, "cpuS")!,
    baselineCpu: medianOf(baseline, "cpuS"),
    oneWorker: wallSeconds(oneWorker),
    pagefind: wallSeconds(pagefind),
    incremental: wallSeconds(incremental)!,
    oursPages: pages(ours[0], /Built (\d+) pages/),
    baselinePages: baseline.length ? pages(baseline[0], /Wrote (\d+) files/) : null,
    searchIncluded,
    identical: withoutSearch(treeDifferences(oursHashes, reference, Infinity)).slice(0, 5),
    hugo: wallSeconds(hugo),
    hugoFailure,
    hugoStopped,
    hugoCpu: medianOf(hugo, "cpuS"),
    hugoPagefind: wallSeconds(hugoPagefind),
    searchFull: wallSeconds(searchFull),
    searchPeak: medianOf(searchFull, "peakRss"),
    searchIncremental: wallSeconds(searchIncremental),
    searchIdentical: checks ? treeDifferences(searchOut, reference) : [],
    checkFull: wallSeconds(checkFull),
    checkIncremental: wallSeconds(checkIncremental),
    searchPage,
    devServer,
    photos: options.large ? null : await benchPhotos(n, archive, work, options, log),
  };
}

function checkOurs(articles: string, site: string, options: Options, extra: string[] = []): Promise<Measurement> {
  return measure(options.project, "node", ["--import", "tsx", "src/cli/check.ts", site, "--articles", articles, ...extra]);
}

const MB = 1024 * 1024;

const fixed = (value: number | null, digits = 2) => (value === null ? "n/a" : value.toFixed(digits));
const ratio = (a: number | null, b: number | null) => (a === null || b === null ? "n/a" : (a / b).toFixed(2));
const sameAsFull = (differences: string[]) => (differences.length ? `no: ${differences.join(", ")}` : "yes, byte for byte");

function markdownTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((cells) => `| ${cells.join(" | ")} |`)].join("\n");
}

/** The site alone (no search index): ours against Hugo and bare Eleventy. */
function buildTable(rows: Row[]): string {
  const header = [
    "N",
    "ours s",
    "Hugo s",
    "ours / Hugo",
    "baseline s",
    "ours / baseline",
    "ms per article",
    "peak MB",
    "ours cores used (CPU s / wall s)",
    "Hugo cores used",
    "ours on one core s",
    "incremental s",
    "incremental / full",
    "baseline peak MB",
    "ours CPU s",
    "baseline CPU s",
    "pages ours / baseline",
    "incremental = full",
  ];
  return markdownTable(
    header,
    rows.map((r) => [
      r.n.toLocaleString("en"),
      r.ours.toFixed(2),
      r.hugoStopped === null ? fixed(r.hugo) : `> ${r.hugoStopped.toFixed(2)}`,
      r.hugoStopped === null ? ratio(r.ours, r.hugo) : `< ${ratio(r.ours, r.hugoStopped)}`,
      fixed(r.baseline),
      ratio(r.ours, r.baseline),
      ((r.ours * 1000) / r.n).toFixed(2),
      (r.oursPeak / MB).toFixed(0),
      (r.oursCpu / r.ours).toFixed(2),
      ratio(r.hugoCpu, r.hugo),
      fixed(r.oneWorker),
      r.incremental.toFixed(2),
      (r.incremental / r.ours).toFixed(2),
      r.baselinePeak === null ? "n/a" : (r.baselinePeak / MB).toFixed(0),
      r.oursCpu.toFixed(1),
      fixed(r.baselineCpu, 1),
      `${r.oursPages} / ${r.baselinePages ?? "n/a"}`,
      sameAsFull(r.identical),
    ]),
  );
}

/** What a user runs every day: builds with the search index, and the check. */
function searchTable(rows: Row[]): string {
  const header = [
    "N",
    "ours with search s",
    "peak MB",
    "Hugo + Pagefind CLI s",
    "ours / (Hugo + Pagefind)",
    "ours' indexing alone s",
    "+1 article with search s",
    "+1 / full",
    "+1 = full, index included",
    "full check s",
    "full check / full build",
    "check after +1 s",
    "check after +1 / full check",
    "search page: first result ms",
    "/ one index",
    "requests by then (one index)",
    "dev server: first build s",
    "dev server: +1 article shown s",
  ];
  return markdownTable(
    header,
    rows.map((r) => {
      const pair = r.hugo === null || r.hugoPagefind === null ? null : r.hugo + r.hugoPagefind;
      return [
        r.n.toLocaleString("en"),
        fixed(r.searchFull),
        r.searchPeak === null ? "n/a" : (r.searchPeak / MB).toFixed(0),
        pair === null ? "n/a" : `${pair.toFixed(2)} (${r.hugo!.toFixed(2)} + ${r.hugoPagefind!.toFixed(2)})`,
        ratio(r.searchFull, pair),
        fixed(r.pagefind),
        fixed(r.searchIncremental),
        ratio(r.searchIncremental, r.searchFull),
        r.searchFull === null ? "n/a" : sameAsFull(r.searchIdentical),
        fixed(r.checkFull),
        ratio(r.checkFull, r.searchFull),
        fixed(r.checkIncremental),
        ratio(r.checkIncremental, r.checkFull),
        r.searchPage === null ? "n/a" : r.searchPage.shards.ms.toFixed(0),
        r.searchPage === null ? "n/a" : ratio(r.searchPage.shards.ms, r.searchPage.oneIndex.ms),
        r.searchPage === null ? "n/a" : `${r.searchPage.shards.requests} (${r.searchPage.oneIndex.requests})`,
        fixed(r.devServer?.start ?? null),
        fixed(r.devServer?.added ?? null),
      ];
    }),
  );
}

/** What photos cost: builds of the same archive with a photo for one article in PHOTO_SHARE, against ours without. */
function photoTable(rows: Row[]): string {
  const header = ["N", "photos", "ours with photos, none made s", "/ ours without photos", "ours with photos, all made s", "/ ours without photos", "+1 article with a photo s", "+1 / full, all made", "+1 = full"];
  return markdownTable(
    header,
    rows.flatMap((r) => {
      const p = r.photos;
      if (!p) return [];
      return [[r.n.toLocaleString("en"), p.count.toLocaleString("en"), fixed(p.cold), ratio(p.cold, r.ours), fixed(p.warm), ratio(p.warm, r.ours), fixed(p.incremental), ratio(p.incremental, p.warm), sameAsFull(p.identical)]];
    }),
  );
}

function machine(project: string): string {
  const cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? cpus()[0]?.model ?? "unknown";
  let commit = "unknown";
  try {
    commit = project === PROJECT ? execFileSync("git", ["describe", "--always", "--dirty"], { cwd: PROJECT, encoding: "utf8" }).trim() : project.slice(project.lastIndexOf("snapshot-") + 9);
  } catch {
    // not a git checkout
  }
  return [
    `- CPU: ${cpuModel}, ${cpus().length} cores`,
    `- RAM: ${(totalmem() / 1024 ** 3).toFixed(1)} GB`,
    `- Node ${process.version}`,
    `- load average when the run began: ${loadavg().map((l) => l.toFixed(2)).join(", ")} (the machine is shared; CPU s is the less disturbed figure)`,
    `- commit ${commit}`,
  ].join("\n");
}

function notes(rows: Row[], runs: number, options: Options): string {
  const lines = [
    `- runs per size: ${runs}, alternating baseline / ours; medians. Wall time of the whole command, peak RSS summed over its process tree (sampled every ${SAMPLE_MS} ms), CPU = user + system of the tree.`,
    `- ours: \`node --import tsx src/cli/build.ts ${[...options.searchOff, ...options.full].join(" ")}\` into an empty folder with no saved parses, as every full build here starts (every page, feeds, sitemap), without the search index; Pagefind timed on its own over that output (bench/pagefind.ts).`,
    "- ours on one core: the same full build with `--workers 1`; ours uses one worker process per core once it writes 5,000 pages or more.",
    "- baseline: bench/baseline/, a bare Eleventy 3 site (Markdown articles, Nunjucks layout, paginated section lists, year pages) over the same articles.",
    `- Hugo: ${HUGO ? execFileSync(HUGO, ["version"], { encoding: "utf8" }).trim() : "not installed (apt-get install hugo)"}, building bench/hugo/ (article pages at dated URLs, home, paginated section and year lists, its RSS and sitemap) over the same Markdown; then the Pagefind CLI over its output, articles only (data-pagefind-body).`,
    "- ours with search: the same full build with its search index (one Pagefind index per year, the newest month apart); +1 article: the incremental build with search after one article arrives, compared by hash, index included, with a full build of the same N+1 articles.",
    "- full check: `npm run check -- SITE --full` over the full build with search; check after +1: `npm run check` over the site after the +1 rebuild, reusing the findings kept for unchanged pages.",
    "- search page: `/search/?q=harbin` over the full build with search, in Chromium with a 100 ms round trip and 10 Mbit/s, loaded afresh 3 times (medians): the time until the page shows its first result (a mutation observer in the page says when) and the requests made by then (each shard's files, and the first result's fragment); one index: the same page over one Pagefind index of the whole site, made by the Pagefind CLI.",
    "- dev server: `npm start` over the N articles (its first build, with search, into its emptied scratch folder) until it serves the home page; then the newest article's file linked in, until the home page links its page and the page is served.",
    `- photos: the same archive with a 1200 × 800 JPEG beside one article in ${PHOTO_SHARE}, built once per size without search: first with the photo cache emptied (every photo made: AVIF, WebP and JPEG in four widths, three crops), then into another folder with every photo made, then with one more article with its photo (the incremental build makes that one), compared by hash with a full build of the same.`,
    "- incremental: one newest article added to the N-article archive and the site rebuilt over the N-article output (no `--full`); its output is compared by hash with a full build of the same N+1 articles into an empty folder. The N article files are older than 2 s when ours first builds them, as a newsroom's are: the build trusts unchanged size, times and inode of such files, and reads again those changed within 2 s of a build.",
  ];
  if (!options.searchOff.length) lines.push("- the build CLI has no `--no-search` flag yet: ours is run with ARCHIVE_SEARCH=off.");
  if (rows.some((r) => r.searchIncluded)) lines.push("- the search index could not be turned off: ours includes Pagefind.");
  if (options.large) lines.push(`- \`--large\`: Hugo is stopped once it has run ${HUGO_LIMIT} times as long as ours' full build; its column then reads "> its time", the ratio "< ours / that".`);
  if (!options.oneCore) lines.push("- `--no-one-core`: ours on one core was not timed.");
  for (const r of rows) if (r.hugoFailure) lines.push(`- Hugo at ${r.n.toLocaleString("en")} articles: ${r.hugoFailure}`);
  return lines.join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    allowNegative: true,
    options: {
      sizes: { type: "string", default: "1000,10000,50000" },
      runs: { type: "string", default: "3" },
      commit: { type: "string" },
      large: { type: "boolean" },
      "one-core": { type: "boolean", default: true },
      results: { type: "string", default: join(BENCH_DIR, "results.md") },
    },
  });
  const sizes = values.sizes!.split(",").map(Number);
  const runs = Number(values.runs);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(runs) || runs < 1) {
    throw new Error("usage: npm run bench [-- --sizes 1000,10000,50000] [--runs 3] [--commit REF] [--large] [--no-one-core] [--results FILE]");
  }
  mkdirSync(WORK_DIR, { recursive: true });
  const log = (message: string) => console.error(`[bench] ${message}`);
  const startedAt = new Date();
  const project = values.commit ? snapshot(values.commit) : PROJECT;
  const header = machine(project);
  const options = { project, ...cliFlags(project), large: Boolean(values.large), oneCore: values["one-core"]! };
  const rows: Row[] = [];
  for (const n of sizes) rows.push(await benchSize(n, runs, options, log));
  const tables = [`## The site\n\n${buildTable(rows)}`, ...(options.large ? [] : [`## Search and checks\n\n${searchTable(rows)}`, `## Photos\n\n${photoTable(rows)}`])];
  const result = tables.join("\n\n");
  console.log(result);
  const flags = `--sizes ${sizes.join(",")} --runs ${runs}${values.commit ? ` --commit ${values.commit}` : ""}${options.large ? " --large" : ""}${options.oneCore ? "" : " --no-one-core"}`;
  const doc = `# Benchmark results\n\n\`npm run bench -- ${flags}\`, ${startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC\n\n${header}\n\n${result}\n\n${notes(rows, runs, options)}\n`;
  writeFileSync(values.results!, doc);
  log(`written to ${relative(PROJECT, resolve(values.results!))}`);
}

await main();
