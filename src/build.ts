import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, resolve } from "node:path";
import { archiveOf, onceData, type Archive } from "./archive.js";
import { BuildError, environmentError } from "./build-error.js";
import { ContentError } from "./diagnostics.js";
import { ARTICLES_DIR, ParseCache, type Loaded } from "./load.js";
import { cacheDir, codeFingerprint, forgetManifest, manifestPath, parserFingerprint, PendingManifest, photoCacheDir, planBuild, readManifest, type BuildPlan, type Manifest } from "./plan.js";
import { formatLedger, ledgerPath, writeLedger } from "./ledger.js";
import { tryLock } from "./owner.js";
import { commitPages, guardOutput, guardReplaceable, holdOutput, OutputError, outputFor, recover, siteFiles, swapIn, type Output } from "./output.js";
import { writePhotos } from "./photos.js";
import { garbageCollector, runsOf, spoolRuns, writeRuns, writersFor } from "./runs.js";
import { indexShards } from "./search.js";
import { siteMetadata, type SiteMetadata } from "./site.js";
import { writeStamp } from "./stamp.js";

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
  /** Processes writing pages at once (default: one per core once there are 5,000 pages to write, else one). */
  workers?: number;
  /** A preview (the dev server's): the URL ledger is read and left as it is, since a headline being typed is not a published URL. */
  preview?: boolean;
  /** The project folder holding `.eleventy.ts`, `content/` and `templates/`. */
  projectDir?: string;
}

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
function saveParsesAlone(cache: ParseCache, dir: string, parser: string): void {
  try {
    mkdirSync(dir, { recursive: true });
    const taken = tryLock(join(dir, "parses.lock"));
    if (!("release" in taken)) return;
    try {
      cache.save(dir, parser);
    } finally {
      taken.release();
    }
  } catch (error) {
    if (!environmentError(error, dir)) throw error;
  }
}

/** The archive, from the parses saved by the build before where its files are unchanged; its parses saved for the next build. */
async function loadSaved(articlesDir: string, parses: string, parser: string, now: number, ledgerFile: string): Promise<Archive> {
  // A large archive's load would otherwise carry each step's garbage into the next and peak at half as much again.
  const betweenSteps = garbageCollector();
  const loaded = await loadParses(articlesDir, parses, parser, betweenSteps);
  // Content errors are reported before Eleventy starts, once, in file:line form.
  return reportingContent(() => archiveOf(articlesDir, loaded, { now, ledgerFile, betweenSteps }));
}

/**
 * The records of the articles, their parses saved for the next build, bad
 * files among them or not; the parse cache goes when this returns, before
 * the site model is made beside the records.
 */
async function loadParses(articlesDir: string, parses: string, parser: string, betweenSteps: () => void): Promise<Loaded> {
  const cache = new ParseCache(betweenSteps);
  cache.restore(parses, parser);
  betweenSteps();
  await cache.prime(articlesDir);
  betweenSteps();
  const loaded = cache.load(articlesDir);
  betweenSteps();
  saveParsesAlone(cache, parses, parser);
  return loaded;
}

/** What a build keeps of its archive once the runs are spooled: the archive itself is let go before the first page is written. */
interface SpooledPlan {
  plan: Omit<BuildPlan, "selection">;
  /** The manifest, its pages written already, to finish with the files of the site in place. */
  pendingManifest: PendingManifest;
  /** The runs' files, for writeRuns, and how many processes write them. */
  runFiles: string[];
  writers: number;
  /** The URL ledger's text after this build. */
  ledger: string;
  counts: Pick<BuildResult, "articles" | "moved" | "removed" | "photos">;
}

/** Load the archive, plan the build over it and spool its runs (see spoolRuns). */
async function spooledPlan({ projectDir, articlesDir, ledgerFile, output, manifest, site, code, search, previousBuild, cores, options }: {
  projectDir: string;
  articlesDir: string;
  ledgerFile: string;
  output: Output;
  /** Where the build's manifest goes. */
  manifest: string;
  site: SiteMetadata;
  code: string;
  search: boolean;
  previousBuild: Manifest | undefined;
  cores: number;
  options: BuildOptions;
}): Promise<SpooledPlan> {
  const archive = await loadSaved(articlesDir, cacheDir(projectDir), parserFingerprint(projectDir), Date.now(), ledgerFile);
  // A full build replaces every folder of the site: one it may not is found before the work, not after.
  const guardWhole = () => guarded(() => guardReplaceable(output));
  if (!previousBuild) guardWhole();
  const pending = await writing(dirname(manifest), () => new PendingManifest(manifest, code));
  const { selection, ...plan } = await writing(dirname(manifest), () => {
    try {
      return planBuild(archive, site, code, { search, live: output.live, previous: previousBuild, record: pending.page });
    } finally {
      pending.closePages();
    }
  });
  // An incremental build that found nothing to keep is a full one.
  if (previousBuild && !plan.previous) guardWhole();
  const writers = options.workers ?? writersFor(selection, cores);
  const runs = runsOf(selection, writers, options.pagesPerRun);
  const runFiles = await writing(output.runs, () => spoolRuns(output.runs, archive.nav, onceData(archive), runs));
  const removed = archive.redirects.filter((r) => r.to === null).length;
  return {
    plan,
    pendingManifest: pending,
    runFiles,
    writers,
    ledger: formatLedger(archive.ledger),
    counts: { articles: archive.articles.length, moved: archive.redirects.length - removed, removed, photos: archive.photos.length },
  };
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
 * waits for the first. The pipeline: load the archive, plan what to write
 * (plan.ts) and spool it in runs, write the runs (runs.ts), then put the
 * site in place (output.ts).
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
  const hold = await writing(dirname(output.live), () =>
    holdOutput(output, (holder) => console.error(`waiting for the build in process ${holder.pid} to finish writing ${output.out}`)),
  );
  try {
    const { mixed } = recover(output);
    const code = codeFingerprint(projectDir);
    const search = options.search !== false;
    const previousBuild = options.full || mixed || !existsSync(output.live) ? undefined : readManifest(manifest, code);
    const cores = options.workers ?? availableParallelism();
    const { plan, pendingManifest, runFiles, writers, ledger, counts } = await spooledPlan({ projectDir, articlesDir, ledgerFile, output, manifest, site, code, search, previousBuild, cores, options });
    const { previous, kept } = plan;
    let photosMade = 0;
    const written = await writing(output.staging, async () => {
      mkdirSync(output.staging, { recursive: true });
      const count = await writeRuns({ projectDir, out: output.staging }, output.runs, runFiles, writers);
      writeStamp(output.staging, { siteUrl: site.url, search });
      // A photo already in the live site stays; the others are made (once per content, in the cache) and linked in.
      photosMade = await reportingContent(() => writePhotos(plan.photos, photoCacheDir(projectDir), output.staging));
      // Only the shards whose pages changed are indexed again; pages left as they are in the live site are indexed from there.
      await indexShards(plan.shards, (url) => (kept.has(url) ? output.live : output.staging), output.staging, cores);
      return count;
    });
    // Before the site shows a new URL, the ledger holds it: a URL published is never forgotten, and one written for a build that then failed is only redirected if its article moves.
    const ledgerChanged = !options.preview && (await writing(ledgerFile, () => writeLedger(ledgerFile, ledger)));
    const staged = siteFiles(output.staging);
    // Between changing the site and writing the new manifest there is none: a crash there costs a full build, never a stale page.
    forgetManifest(manifest);
    let files = staged;
    if (previous) {
      const keptFiles = new Set([...kept.values()].flat());
      const now = new Set(staged);
      files = [...new Set([...staged, ...keptFiles])].sort();
      const removed = previous.files.filter((f) => !now.has(f) && !keptFiles.has(f));
      guarded(() => {
        guardReplaceable(output, [...staged, ...removed]);
        commitPages(output, staged, removed, hold.committing);
      });
    } else await writing(output.live, () => swapIn(output, hold.committing));
    pendingManifest.finish(files);
    return {
      ...counts,
      pages: written + plan.keptPages,
      written,
      ms: performance.now() - started,
      photosMade,
      ledgerFile,
      ledgerChanged,
    };
  } catch (error) {
    if (!existsSync(output.journal)) await removeWhenSettled(output.staging);
    rmSync(output.runs, { recursive: true, force: true });
    throw error;
  } finally {
    hold.release();
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
