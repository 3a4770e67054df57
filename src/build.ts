import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { loadArchive, type Archive } from "./archive.js";
import { BuildError, environmentError } from "./build-error.js";
import { ContentError } from "./diagnostics.js";
import { ARTICLES_DIR, ParseCache } from "./load.js";
import { cacheDir, codeFingerprint, fingerprintInputs, forgetManifest, manifestPath, pageFingerprints, photoCacheDir, photoFingerprints, readManifest, shardFingerprints, unchangedPages, writeManifest } from "./incremental.js";
import { ledgerPath, writeLedger } from "./ledger.js";
import { lock, tryLock, type Lock } from "./owner.js";
import { commitPages, guardOutput, guardReplaceable, OutputError, outputFor, recover, siteFiles, swapIn } from "./output.js";
import { writePhotos } from "./photos.js";
import { inRuns } from "./render-plan.js";
import { PAGES_PER_RUN, writeRuns } from "./runs.js";
import { indexShards } from "./search.js";
import { siteMetadata, type SiteMetadata } from "./site.js";
import { writeStamp } from "./stamp.js";
import { outputPath } from "./urls.js";

export interface BuildOptions {
  /** Where the finished site goes; replaced only when the whole build succeeded. */
  out: string;
  articlesDir?: string;
  /** The URL ledger (default: beside the articles folder, see ledger.ts), which the build reads and brings up to date. */
  ledgerFile?: string;
  /** Write every page, whatever the previous build wrote. */
  full?: boolean;
  /** Build the search index (default); off for timing the site alone. */
  search?: boolean;
  /** Pages per Eleventy run: fewer use less memory, more save a little time. */
  pagesPerRun?: number;
  /** Processes writing pages at once (default: one per core). */
  workers?: number;
  /** The project folder holding `.eleventy.ts`, `content/` and `templates/`. */
  projectDir?: string;
}

// A worker costs a second or two to start and load the archive: a build
// with fewer pages to write is faster in one process.
const WORKERS_FROM_PAGES = 5000;

export interface BuildResult {
  pages: number;
  articles: number;
  /** Pages written by this build; the others were unchanged and taken from the previous output. */
  written: number;
  ms: number;
  /** URLs published before that redirect to their article's page now. */
  moved: number;
  /** URLs of removed articles, which say the article was removed. */
  removed: number;
  /** Photos whose renditions this build made, and those it found made (in the site or the cache). */
  photosMade: number;
  photos: number;
  /** The URL ledger, and whether this build changed it: new URLs to commit. */
  ledgerFile: string;
  ledgerChanged: boolean;
}

/**
 * Save the parses unless another build is saving them at this moment: its
 * parses will do. They only spare later work, so a cache folder this user
 * may not write, or a full disk, costs time and not the build.
 */
function saveParsesAlone(cache: ParseCache, dir: string, code: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    const taken = tryLock(join(dir, "parses.lock"));
    if (!("release" in taken)) return false;
    try {
      cache.save(dir, code);
      return true;
    } finally {
      taken.release();
    }
  } catch (error) {
    if (!environmentError(error, dir)) throw error;
    return false;
  }
}

/**
 * The archive, its parses saved for the workers and the next build. A load
 * that parsed most files anew (a first build, or one after a code change)
 * holds every file's text, bodies and all; once the parses are saved it is
 * loaded again from them, as a worker loads it, so that this process too
 * reads a body only when its page is written. A load of a few new files
 * is kept: loading again would cost more than their text.
 */
async function loadSaved(articlesDir: string, parses: string, code: string, now: number, ledgerFile: string): Promise<Archive> {
  const cache = new ParseCache();
  cache.restore(parses, code);
  // Content errors are reported before Eleventy starts, once, in file:line form.
  const archive = await reportingContent(() => loadArchive(articlesDir, { cache, now, ledgerFile }));
  if (!saveParsesAlone(cache, parses, code) || cache.parsedAnew * 2 < archive.articles.length) return archive;
  const saved = new ParseCache();
  saved.restore(parses, code);
  // A file edited since the first load is read again, and may be bad now.
  return reportingContent(() => loadArchive(articlesDir, { cache: saved, now, ledgerFile }));
}

/** Run `step`, turning what it finds wrong with the output folder into a build error. */
function guarded(step: () => void): void {
  try {
    step();
  } catch (error) {
    if (error instanceof OutputError) throw new BuildError(error.message, 2);
    throw error;
  }
}

/** Run `step`, turning what it finds wrong with the articles into a build error. */
async function reportingContent<T>(step: () => Promise<T> | T): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof ContentError) throw new BuildError(error.message, error.exitCode);
    throw error;
  }
}

/** Run `step`, turning a fault of the machine into a build error that names the folder. */
async function writing<T>(where: string, step: () => Promise<T> | T): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw environmentError(error, where) ?? error;
  }
}

/**
 * Build the site into a staging folder beside `out` and swap it in only
 * when everything succeeded, so a failed or interrupted build leaves the
 * previous site as it was. One build at a time writes a folder: a second
 * waits for the first.
 */
export async function buildSite(options: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  const projectDir = resolve(options.projectDir ?? ".");
  const articlesDir = resolve(projectDir, options.articlesDir ?? ARTICLES_DIR);
  const ledgerFile = resolve(projectDir, options.ledgerFile ?? ledgerPath(articlesDir));
  // A moved or mistyped folder would otherwise build an empty archive over a good site.
  if (!statSync(articlesDir, { throwIfNoEntry: false })?.isDirectory()) {
    throw new BuildError(`expected a folder of articles, found no folder at ${articlesDir}`, 2);
  }
  let site: SiteMetadata;
  try {
    site = siteMetadata();
  } catch (error) {
    throw new BuildError((error as Error).message, 2);
  }
  const output = outputFor(resolve(options.out));
  const manifest = manifestPath(projectDir, output.out);
  // The output folder is replaced as a whole: it must not hold the project or lie among its sources.
  guarded(() => guardOutput(output, projectDir, [articlesDir, join(projectDir, "content"), join(projectDir, "templates")], existsSync(manifest)));
  // Signals are handled from before the lock is taken, so that no Ctrl-C leaves it behind.
  let held: Lock | undefined;
  // Ctrl-C waits while the new site is swapped or moved in; at any other moment the build stops at once, the live site as it was.
  let committing = false;
  let deferred: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (committing) {
      deferred = signal;
      return;
    }
    stop(signal);
  };
  const release = () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
    // A commit cut short keeps its staged files for the next build to finish it.
    if (held && !existsSync(output.journal)) rmSync(output.staging, { recursive: true, force: true });
    if (held) rmSync(output.runs, { recursive: true, force: true });
    held?.release();
  };
  // The signal is raised again once handled, to end the process as it would have without this handler.
  const stop = (signal: NodeJS.Signals) => {
    release();
    process.kill(process.pid, signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  try {
    // `--out dist/site` in a fresh clone: the folders above the output are made, as for any output folder.
    mkdirSync(dirname(output.live), { recursive: true });
    held = await lock(output.lock, (holder) => console.error(`waiting for the build in process ${holder.pid} to finish writing ${output.out}`));
  } catch (error) {
    release();
    throw environmentError(error, dirname(output.live)) ?? error;
  }
  try {
    const { mixed } = recover(output);
    const code = codeFingerprint(projectDir);
    const parses = cacheDir(projectDir);
    const now = Date.now();
    const archive = await loadSaved(articlesDir, parses, code, now, ledgerFile);
    const search = options.search !== false;
    const shards = search ? archive.searchShards : [];
    const inputs = fingerprintInputs(archive, site, code);
    const pages = pageFingerprints(archive, inputs);
    const fingerprints = new Map([...pages, ...shardFingerprints(shards, inputs), ...photoFingerprints(archive)]);
    const previous = options.full || mixed || !existsSync(output.live) ? undefined : readManifest(manifest);
    // Changed code or templates may change any file, or stop writing one: then everything is written anew.
    const unchanged = previous?.code === code ? unchangedPages(fingerprints, previous) : new Set<string>();
    // The files each unchanged page or search index left in the output: one gone since (deleted by hand) is made again.
    const keptFiles = new Map([...unchanged].map((url) => [url, pages.has(url) ? [outputPath(url).slice(1)] : previous!.files.filter((file) => file.startsWith(url.slice(1)))]));
    for (const [url, files] of keptFiles) {
      if (files.length === 0 || !files.every((file) => existsSync(join(output.live, file)))) {
        unchanged.delete(url);
        keptFiles.delete(url);
      }
    }
    const incremental = previous !== undefined && unchanged.size > 0;
    // A full build replaces every folder of the site: one it may not is found before the work, not after.
    if (!incremental) guarded(() => guardReplaceable(output));
    const changed = <T extends { url: string }>(items: T[]) => items.filter((item) => !unchanged.has(item.url));
    const selection = { articles: changed(archive.articles), listPages: changed(archive.listPages), feeds: changed(archive.feeds), redirects: changed(archive.redirects), once: true };
    const workers = options.workers ?? availableParallelism();
    const toWrite = selection.articles.length + selection.listPages.length;
    const pagesPerRun = options.pagesPerRun ?? PAGES_PER_RUN;
    // A share for every core, once there are pages enough for a worker to pay.
    const runSize = workers > 1 && toWrite >= WORKERS_FROM_PAGES ? Math.min(pagesPerRun, Math.ceil(toWrite / workers)) : pagesPerRun;
    let photosMade = 0;
    const written = await writing(output.staging, async () => {
      mkdirSync(output.staging, { recursive: true });
      const count = await writeRuns({ projectDir, out: output.staging }, output.runs, archive, inRuns(selection, runSize), workers);
      writeStamp(output.staging, { siteUrl: site.url, search });
      // A photo already in the live site stays; the others are made (once per content, in the cache) and linked in.
      photosMade = await reportingContent(() => writePhotos(changed(archive.photos), photoCacheDir(projectDir), output.staging));
      // Only the shards whose pages changed are indexed again; pages left as they are in the live site are indexed from there.
      await indexShards(changed(shards), (url) => join(unchanged.has(url) ? output.live : output.staging, outputPath(url)), output.staging, workers);
      return count;
    });
    // Before the site shows a new URL, the ledger holds it: a URL published is never forgotten, and one written for a build that then failed is only redirected if its article moves.
    const ledgerChanged = await writing(ledgerFile, () => writeLedger(ledgerFile, archive.ledger));
    const staged = siteFiles(output.staging);
    // Between changing the site and writing the new manifest there is none: a crash there costs a full build, never a stale page.
    forgetManifest(manifest);
    let files = staged;
    if (incremental) {
      const kept = new Set([...keptFiles.values()].flat());
      const now = new Set(staged);
      files = [...new Set([...staged, ...kept])].sort();
      const removed = previous.files.filter((f) => !now.has(f) && !kept.has(f));
      guarded(() => {
        guardReplaceable(output, [...staged, ...removed]);
        commitPages(output, staged, removed, (now) => (committing = now));
      });
    } else await writing(output.live, () => swapIn(output, (now) => (committing = now)));
    writeManifest(manifest, code, fingerprints, files);
    const removed = archive.redirects.filter((r) => r.to === null).length;
    return {
      pages: written + [...unchanged].filter((url) => pages.has(url)).length,
      articles: archive.articles.length,
      written,
      ms: performance.now() - started,
      moved: archive.redirects.length - removed,
      removed,
      photosMade,
      photos: archive.photos.length,
      ledgerFile,
      ledgerChanged,
    };
  } catch (error) {
    if (!existsSync(output.journal)) await removeWhenSettled(output.staging);
    throw error;
  } finally {
    release();
    if (deferred) process.kill(process.pid, deferred);
  }
}

/**
 * Remove a folder Eleventy may still be writing into: its run rejects at the
 * first failed page while writes of other pages are under way, and those
 * would make the folder again after a single removal.
 */
async function removeWhenSettled(dir: string): Promise<void> {
  for (let attempt = 0; attempt < 20 && existsSync(dir); attempt++) {
    rmSync(dir, { recursive: true, force: true });
    await new Promise((resolvePromise) => setTimeout(resolvePromise, 50));
  }
}
