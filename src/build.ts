import Eleventy from "@11ty/eleventy";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { loadArchive, type Archive } from "./archive.js";
import { ContentError } from "./diagnostics.js";
import { ARTICLES_DIR, restoreParses, saveParses } from "./load.js";
import { selectPages } from "./eleventy/archive-plugin.js";
import {
  applyCommit,
  cacheDir,
  codeFingerprint,
  forgetManifest,
  manifestPath,
  pageFingerprints,
  readJournal,
  readManifest,
  siteFiles,
  unchangedPages,
  within,
  writeJournal,
  writeManifest,
} from "./incremental.js";
import { inRuns, type RenderSelection } from "./render-plan.js";
import { indexPages } from "./search.js";
import { siteMetadata, type SiteMetadata } from "./site.js";
import { writeStamp } from "./stamp.js";
import { outputPath } from "./urls.js";

export interface BuildOptions {
  /** Where the finished site goes; replaced only when the whole build succeeded. */
  out: string;
  articlesDir?: string;
  /** Write every page, whatever the previous build wrote. */
  full?: boolean;
  /** Build the search index (default); off for timing the site alone. */
  search?: boolean;
  /** Pages per Eleventy run: fewer use less memory, more save a little time. */
  pagesPerRun?: number;
  /** The project folder holding `.eleventy.ts`, `content/` and `templates/`. */
  projectDir?: string;
}

export interface BuildResult {
  pages: number;
  articles: number;
  /** Pages written by this build; the others were unchanged and taken from the previous output. */
  written: number;
  ms: number;
}

/** A failed build, with the exit status it calls for: 1 for bad content, 2 for bad configuration. */
export class BuildError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2) {
    super(message);
    this.name = "BuildError";
  }
}

/** An error and the errors under it: Eleventy wraps the error of a template in `originalError`. */
function* causes(error: unknown): Generator<Error> {
  for (let e = error; e instanceof Error; e = e.cause ?? (e as { originalError?: unknown }).originalError) yield e;
}

function findCause(error: unknown): ContentError | undefined {
  for (const e of causes(error)) if (e instanceof ContentError) return e;
  return undefined;
}

const PARTIAL = ".partial-";
// Eleventy holds every page of a run in memory until the run ends: runs of
// this many pages keep a large archive's build within a few hundred MB.
export const PAGES_PER_RUN = 2500;
const REPLACED = ".old";

/** True when another process with this id runs: a build into the same folder, whose files are its own. */
function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The process whose temporary folder beside the output this is: `._site.partial-PID`, or `…-PID.old`. */
function ownerOf(partial: string): number {
  return Number.parseInt(partial.slice(partial.lastIndexOf(PARTIAL) + PARTIAL.length), 10);
}

/**
 * Put back what a killed build left beside the output: a previous site moved
 * aside for the swap goes back in place if nothing replaced it, and
 * half-written folders go.
 */
function recoverLeftovers(out: string): void {
  const parent = dirname(out);
  // An incremental build killed while moving its pages into place: finish its work.
  const commit = readJournal(out);
  if (commit && !isRunning(ownerOf(commit.staged))) applyCommit(commit);
  const prefix = `.${basename(out)}${PARTIAL}`;
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent).sort()) {
    if (!name.startsWith(prefix) || isRunning(ownerOf(name))) continue;
    const path = join(parent, name);
    if (name.endsWith(REPLACED) && !existsSync(out)) renameSync(path, out);
    else rmSync(path, { recursive: true, force: true });
  }
}

/**
 * Save the parses unless another build is saving them at the same moment:
 * two processes appending at once would mix up where their bodies lie. A
 * lock left by a build killed while saving is taken over.
 */
function saveParsesAlone(dir: string, code: string): void {
  const lock = join(dir, "parses.lock");
  mkdirSync(dir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const owner = Number.parseInt(readFileSync(lock, "utf8"), 10);
      // Its owner is still writing its number, or saving: its parses will do.
      if (Number.isNaN(owner) || isRunning(owner)) return;
      rmSync(lock, { force: true });
      continue;
    }
    try {
      saveParses(dir, code);
    } finally {
      rmSync(lock, { force: true });
    }
    return;
  }
}

/** An error's message with those of its causes, which name the template and line. */
function describeError(error: unknown): string {
  const messages = [...new Set([...causes(error)].map((e) => e.message.trim()))];
  return messages.join("\n  ") || String(error);
}

/**
 * A full garbage collection. V8 would rather grow the heap than collect what
 * one Eleventy run leaves behind before the next run starts; collecting
 * between runs keeps a large build's peak memory to about one run's worth.
 */
function garbageCollector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** One Eleventy run writing the selected pages into `out`; returns how many it wrote. */
async function writePages(projectDir: string, out: string, archive: Archive, selection: RenderSelection): Promise<number> {
  selectPages({ archive, selection });
  const eleventy = new Eleventy(join(projectDir, "content"), out, {
    configPath: join(projectDir, ".eleventy.ts"),
    quietMode: true,
  });
  eleventy.setIsVerbose(false);
  // Its messages would go to stdout; failures are reported once, by the caller.
  eleventy.disableLogger();
  try {
    await eleventy.init();
    // Benchmark groups made while the configuration ran would print timing hints to stderr, different on every run.
    for (const group of Object.values(eleventy.bench.getAll())) group.setIsVerbose(false);
    // Eleventy answers [passthrough copies, written templates].
    const [, templates] = (await eleventy.write()) as [unknown[], unknown[]];
    return templates.length;
  } catch (error) {
    const content = findCause(error);
    if (content) throw new BuildError(content.message, 1);
    // Anything else Eleventy stops on is in the templates or the configuration, not in an article.
    throw new BuildError(`expected the templates and configuration to build the site, found an error: ${describeError(error)}`, 2);
  }
}

/**
 * Build the site into a temporary folder beside `out` and put it in place of
 * `out` only when everything succeeded, so a failed or interrupted build
 * leaves the previous site as it was.
 */
export async function buildSite(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const projectDir = resolve(options.projectDir ?? ".");
  const out = resolve(options.out);
  const articlesDir = resolve(projectDir, options.articlesDir ?? ARTICLES_DIR);
  recoverLeftovers(out);
  // A mistyped folder would otherwise build an empty archive over a good site.
  if (options.articlesDir !== undefined && !statSync(articlesDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new BuildError(`expected a folder of articles, found no folder at ${articlesDir}`, 2);
  }
  const existing = statSync(out, { throwIfNoEntry: false });
  if (existing && !existing.isDirectory()) throw new BuildError(`expected an output folder, found a file at ${out}`, 2);
  // The output folder is replaced as a whole: it must not hold the project or lie among its sources.
  const sources = [articlesDir, join(projectDir, "content"), join(projectDir, "templates")];
  for (const source of [projectDir, ...sources]) {
    if (within(source, out) || (source !== projectDir && within(out, source))) {
      throw new BuildError(`expected an output folder apart from the sources, found ${out}, which overlaps ${source}`, 2);
    }
  }
  const code = codeFingerprint(projectDir);
  const parses = cacheDir(projectDir);
  restoreParses(parses, code);
  // Content errors are reported before Eleventy starts, once, in file:line form.
  let archive: Archive;
  try {
    archive = loadArchive(articlesDir);
  } catch (error) {
    if (error instanceof ContentError) throw new BuildError(error.message, 1);
    throw error;
  }
  let site: SiteMetadata;
  try {
    site = siteMetadata();
  } catch (error) {
    throw new BuildError((error as Error).message, 2);
  }
  const partial = join(dirname(out), `.${basename(out)}${PARTIAL}${process.pid}`);
  const replaced = `${partial}${REPLACED}`;
  const discard = () => rmSync(partial, { recursive: true, force: true });
  // While an incremental build moves its pages into place, Ctrl-C waits for it to finish.
  let committing = false;
  let deferred: NodeJS.Signals | undefined;
  const release = () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
  // The signal is raised again once handled, to end the process as it would have without this handler.
  const onSignal = (signal: NodeJS.Signals) => {
    if (committing) {
      deferred = signal;
      return;
    }
    release();
    discard();
    recoverLeftovers(out);
    process.kill(process.pid, signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const manifest = manifestPath(projectDir, out);
  try {
    const fingerprints = pageFingerprints(archive, site, code);
    const previous = options.full || !existsSync(out) ? undefined : readManifest(manifest);
    // Changed code or templates may change any file, or stop writing one: then everything is written anew.
    const unchanged = previous?.code === code ? unchangedPages(fingerprints, previous) : undefined;
    // A page file gone from the output since (deleted by hand) is written again.
    for (const url of unchanged ?? []) if (!existsSync(join(out, outputPath(url)))) unchanged!.delete(url);
    const selection = {
      articles: archive.articles.filter((a) => !unchanged?.has(a.url)),
      listPages: archive.listPages.filter((p) => !unchanged?.has(p.url)),
      feeds: archive.feeds.filter((f) => !unchanged?.has(f.url)),
      once: true,
    };
    mkdirSync(partial, { recursive: true });
    let written = 0;
    const collectGarbage = garbageCollector();
    const runs = inRuns(selection, options.pagesPerRun ?? PAGES_PER_RUN);
    for (const [i, run] of runs.entries()) {
      if (i > 0) collectGarbage();
      written += await writePages(projectDir, partial, archive, run);
    }
    const search = options.search !== false;
    writeStamp(partial, { siteUrl: site.url, search });
    if (search) {
      const fileOf = (url: string) => join(unchanged?.has(url) ? out : partial, outputPath(url));
      await indexPages(archive.articles.map((a) => ({ url: a.url, file: fileOf(a.url) })), partial);
    }
    const staged = siteFiles(partial);
    // Between putting the site in place and writing the new manifest there is none: a crash there costs a full build, never a stale page.
    forgetManifest(manifest);
    let files: string[];
    if (unchanged && previous) {
      const kept = new Set([...unchanged].map((url) => outputPath(url).slice(1)));
      const now = new Set(staged);
      files = [...new Set([...staged, ...kept])].sort();
      const commit = { out, staged: partial, files: staged, removed: previous.files.filter((f) => !now.has(f) && !kept.has(f)), search };
      committing = true;
      writeJournal(commit);
      applyCommit(commit);
      committing = false;
    } else {
      files = staged;
      if (existsSync(out)) renameSync(out, replaced);
      renameSync(partial, out);
      rmSync(replaced, { recursive: true, force: true });
    }
    writeManifest(manifest, code, fingerprints, files);
    saveParsesAlone(parses, code);
    if (deferred) {
      release();
      process.kill(process.pid, deferred);
    }
    return { pages: written + (unchanged?.size ?? 0), articles: archive.articles.length, written, ms: performance.now() - started };
  } finally {
    selectPages(undefined);
    discard();
    committing = false;
    release();
  }
}
