import Eleventy from "@11ty/eleventy";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { loadArchive, type Archive } from "./archive.js";
import { ContentError } from "./diagnostics.js";
import { ARTICLES_DIR, ParseCache } from "./load.js";
import { configureSite } from "./eleventy/site-config.js";
import { cacheDir, codeFingerprint, forgetManifest, manifestPath, pageFingerprints, readManifest, unchangedPages, writeManifest } from "./incremental.js";
import { lock, tryLock, type Lock } from "./owner.js";
import { guardOutput, guardReplaceable, OutputError, outputFor, recover, swapIn, takeUnchanged } from "./output.js";
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

// Eleventy holds every page of a run in memory until the run ends: runs of
// this many pages keep a large archive's build within a few hundred MB.
export const PAGES_PER_RUN = 2500;

/** Save the parses unless another build is saving them at this moment: its parses will do. */
function saveParsesAlone(cache: ParseCache, dir: string, code: string): void {
  mkdirSync(dir, { recursive: true });
  const taken = tryLock(join(dir, "parses.lock"));
  if (!("release" in taken)) return;
  try {
    cache.save(dir, code);
  } finally {
    taken.release();
  }
}

// What the file system says when the machine, not the site, is at fault.
const ENVIRONMENT: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  EIO: "input/output error",
  EMFILE: "too many open files",
  ENAMETOOLONG: "file name too long",
};

/** An error of the machine (a full disk, a folder not writable) anywhere under `error`, as a build error naming where. */
function environmentError(error: unknown, where: string): BuildError | undefined {
  for (const e of causes(error)) {
    const { code, path } = e as NodeJS.ErrnoException;
    if (code && ENVIRONMENT[code]) return new BuildError(`${path ?? where}: ${ENVIRONMENT[code]} (${code}) while writing the site; the previous site is unchanged`, 2);
  }
  return undefined;
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
  const eleventy = new Eleventy(join(projectDir, "content"), out, {
    configPath: false,
    config: (eleventyConfig) => configureSite(eleventyConfig, { archive, selection }),
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
    if (content) throw new BuildError(content.message, content.exitCode);
    const environment = environmentError(error, out);
    if (environment) throw environment;
    // Anything else Eleventy stops on is in the templates or the configuration, not in an article.
    throw new BuildError(`expected the templates and configuration to build the site, found an error: ${describeError(error)}`, 2);
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
  try {
    // The output folder is replaced as a whole: it must not hold the project or lie among its sources.
    guardOutput(output, projectDir, [articlesDir, join(projectDir, "content"), join(projectDir, "templates")], existsSync(manifest));
    guardReplaceable(output);
  } catch (error) {
    if (error instanceof OutputError) throw new BuildError(error.message, 2);
    throw error;
  }
  let held: Lock;
  try {
    held = await lock(output.lock, (holder) => console.error(`waiting for the build in process ${holder.pid} to finish writing ${output.out}`));
  } catch (error) {
    throw environmentError(error, dirname(output.live)) ?? error;
  }
  // Ctrl-C waits while the new site is swapped in; at any other moment the build stops at once, the live site as it was.
  let swapping = false;
  let deferred: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (swapping) {
      deferred = signal;
      return;
    }
    stop(signal);
  };
  const release = () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
    rmSync(output.staging, { recursive: true, force: true });
    held.release();
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
    const { mixed } = recover(output);
    const code = codeFingerprint(projectDir);
    const parses = cacheDir(projectDir);
    const cache = new ParseCache();
    cache.restore(parses, code);
    // Content errors are reported before Eleventy starts, once, in file:line form.
    let archive: Archive;
    try {
      archive = loadArchive(articlesDir, { cache });
    } catch (error) {
      if (error instanceof ContentError) throw new BuildError(error.message, error.exitCode);
      throw error;
    }
    const fingerprints = pageFingerprints(archive, site, code);
    const previous = options.full || mixed || !existsSync(output.live) ? undefined : readManifest(manifest);
    // Changed code or templates may change any file, or stop writing one: then everything is written anew.
    const unchanged = previous?.code === code ? unchangedPages(fingerprints, previous) : new Set<string>();
    // A page file gone from the output since (deleted by hand) is written again.
    for (const url of unchanged) if (!existsSync(join(output.live, outputPath(url)))) unchanged.delete(url);
    const selection = {
      articles: archive.articles.filter((a) => !unchanged.has(a.url)),
      listPages: archive.listPages.filter((p) => !unchanged.has(p.url)),
      feeds: archive.feeds.filter((f) => !unchanged.has(f.url)),
      once: true,
    };
    const written = await writing(output.staging, async () => {
      mkdirSync(output.staging, { recursive: true });
      let count = 0;
      const collectGarbage = garbageCollector();
      for (const [i, run] of inRuns(selection, options.pagesPerRun ?? PAGES_PER_RUN).entries()) {
        if (i > 0) collectGarbage();
        count += await writePages(projectDir, output.staging, archive, run);
      }
      takeUnchanged(output, [...unchanged].map((url) => outputPath(url).slice(1)));
      const search = options.search !== false;
      writeStamp(output.staging, { siteUrl: site.url, search });
      if (search) await indexPages(archive.articles.map((a) => ({ url: a.url, file: join(output.staging, outputPath(a.url)) })), output.staging);
      return count;
    });
    // Between putting the site in place and writing the new manifest there is none: a crash there costs a full build, never a stale page.
    forgetManifest(manifest);
    await writing(output.live, () => swapIn(output, (now) => (swapping = now)));
    writeManifest(manifest, code, fingerprints);
    saveParsesAlone(cache, parses, code);
    return { pages: written + unchanged.size, articles: archive.articles.length, written, ms: performance.now() - started };
  } catch (error) {
    await removeWhenSettled(output.staging);
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
