import { fork } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { listPageData, pageData, type ArticlePage, type ListPage, type NavSection, type OnceData } from "./archive.js";
import { BuildError, describeError, environmentError, findCause } from "./build-error.js";
import type { RunSource } from "./eleventy/archive-plugin.js";
import { readLines, writeLines } from "./lines.js";
import { inRuns, type RenderSelection } from "./plan.js";

/*
 * The runs of a build: Eleventy writing a selection of pages into the
 * staging folder, in this process or in a worker process per further core.
 */

// Eleventy holds every page of a run in memory until the run ends, and
// smaller runs cost more time. At 10,000 articles, runs of 2,500 pages
// peaked at 836 MB over the build's processes and runs of 1,250 at 500 MB;
// runs of 1,000 cost 15% more time at 50,000.
export const PAGES_PER_RUN = 1250;

// A worker costs a second or two to start: a build with fewer pages to
// write is faster in one process.
const WORKERS_FROM_PAGES = 5000;

function pagesOf(selection: RenderSelection): number {
  return selection.articles.length + selection.listPages.length;
}

/** The processes to write a selection when none was asked for: one per core once there are pages enough for a worker to pay. */
export function writersFor(selection: RenderSelection, cores: number): number {
  return pagesOf(selection) >= WORKERS_FROM_PAGES ? cores : 1;
}

/** The runs of a selection: a share for every writer, none over `pagesPerRun`. */
export function runsOf(selection: RenderSelection, writers: number, pagesPerRun = PAGES_PER_RUN): RenderSelection[] {
  return inRuns(selection, writers > 1 ? Math.min(pagesPerRun, Math.ceil(pagesOf(selection) / writers)) : pagesPerRun);
}

/**
 * A full garbage collection. V8 would rather grow the heap than collect what
 * one Eleventy run leaves behind before the next run starts; collecting
 * between runs keeps a large build's peak memory to about one run's worth.
 */
export function garbageCollector(): () => void {
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

/** One Eleventy run writing the selected pages into `out`; returns how many it wrote. */
export async function writePages(projectDir: string, out: string, run: RunSource): Promise<number> {
  // Loaded when the first run starts: beside a large archive's model, which the build lets go before then, Eleventy's modules would be 36 MB more of the build's peak.
  const [{ default: Eleventy }, { configureSite }] = await Promise.all([import("@11ty/eleventy"), import("./eleventy/site-config.js")]);
  const eleventy = new Eleventy(join(projectDir, "content"), out, {
    configPath: false,
    config: (eleventyConfig) => configureSite(eleventyConfig, run),
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

/** Where the runs write, and the project whose templates they write with. */
export interface RunTarget {
  projectDir: string;
  out: string;
}

const RUNS_BETWEEN_COLLECTIONS = 25;

/**
 * Write each run to a file of plain data in `runsDir`, every body it shows
 * read, for whichever process writes it. Written before any page is, so
 * that the site model can go first: at 200,000 articles it is most of what
 * the build holds, and would otherwise stay beside every run. A line per
 * page (see lines.ts) after a first line with the rest of the run.
 */
export function spoolRuns(runsDir: string, nav: NavSection[], once: OnceData, runs: RenderSelection[]): string[] {
  mkdirSync(runsDir, { recursive: true });
  const collectGarbage = garbageCollector();
  return runs.map((run, i) => {
    // What loading and planning left, then each stretch of runs' copies: a heap this large is seldom collected unasked
    // (at 200,000 articles the spooling peaked at 1,336 MB without this, 950 MB with it).
    if (i % RUNS_BETWEEN_COLLECTIONS === 0) collectGarbage();
    const runFile = join(runsDir, `${i}.jsonl`);
    writeLines(runFile, runLines(nav, run.once ? once : null, run));
    return runFile;
  });
}

type RunLine = RunSource | { article: ArticlePage } | { listPage: ListPage };

function* runLines(nav: NavSection[], once: OnceData | null, { articles, listPages, feeds, ...rest }: RenderSelection): Generator<RunLine> {
  yield { nav, once, selection: { ...rest, feeds: feeds.map((feed) => ({ ...feed, articles: feed.articles.map(pageData) })), articles: [], listPages: [] } };
  for (const article of articles) yield { article: pageData(article) };
  for (const listPage of listPages) yield { listPage: listPageData(listPage) };
}

/** A run read back, its file gone: each run is written once. */
export function readRun(runFile: string): RunSource {
  let run: RunSource | undefined;
  readLines(runFile, (value) => {
    const line = value as RunLine;
    if ("article" in line) run!.selection.articles.push(line.article);
    else if ("listPage" in line) run!.selection.listPages.push(line.listPage);
    else run = line;
  });
  rmSync(runFile);
  return run!;
}

/** A run as it crosses into a worker: its file, and where to write it. */
export type WorkerRun = RunTarget & { runFile: string };

/** A worker's answer to each run: the pages it wrote, or why it stopped. */
export type WorkerReply = { written: number } | { error: string; exitCode: 1 | 2 };

const WORKER = new URL("./cli/render-worker.ts", import.meta.url);

// Runs sent to a worker ahead of its answers: this process reads a
// worker's answer only between runs of its own, so a worker with one run
// in hand would wait for the next idle.
const RUNS_IN_HAND = 2;

/**
 * One worker process taking runs from `queue` until it is empty; rejects
 * with a build error when the worker fails or is killed.
 */
function writeRunsInWorker(target: RunTarget, queue: string[], started: (kill: () => void) => void): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const worker = fork(WORKER, [], { cwd: target.projectDir, execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "inherit", "ipc"] });
    started(() => worker.kill("SIGKILL"));
    let written = 0;
    let inHand = 0;
    let failure: BuildError | undefined;
    const stop = (error: BuildError) => {
      failure ??= error;
      worker.kill("SIGKILL");
    };
    const handOut = () => {
      while (inHand < RUNS_IN_HAND && queue.length > 0) {
        worker.send({ ...target, runFile: queue.shift()! } satisfies WorkerRun);
        inHand++;
      }
      if (inHand === 0) worker.disconnect();
    };
    handOut();
    worker.on("message", (reply: WorkerReply) => {
      inHand--;
      if ("written" in reply) {
        written += reply.written;
        if (!failure) handOut();
      } else stop(new BuildError(reply.error, reply.exitCode));
    });
    // A worker that started and then failed (killed before it read its run: EPIPE) is reported when it exits.
    worker.on("error", (error) => worker.pid === undefined && reject(new BuildError(`expected a render worker to start, found ${error.message}`, 2)));
    worker.on("exit", (code, signal) => {
      if (failure) reject(failure);
      else if (inHand === 0 && code === 0) resolvePromise(written);
      else reject(new BuildError(`expected the render worker (process ${worker.pid}) to write its pages, found it ended by ${signal ?? `exit status ${code}`}`, 2));
    });
  });
}

/**
 * Write the spooled runs on every core: this process writes the first,
 * then it and one worker process per further core take runs from one
 * queue, so that no process waits while another has runs left. Pages do
 * not depend on which process writes them, so the output is the same for
 * any number of workers. When one fails, the others are stopped. The
 * runs' folder goes at the end.
 */
export async function writeRuns(target: RunTarget, runsDir: string, runFiles: string[], workers: number): Promise<number> {
  // This process writes the first run, the one-off pages' when there are several: the heaviest run goes where the
  // load left heap to spare (at 200,000 articles a worker writing it peaked at 407 MB beside this process's 550).
  const queue = runFiles.slice(1);
  const collectGarbage = garbageCollector();
  // What the caller let go (the site model) goes before the workers start, which would otherwise start beside it;
  // then what each run of this process leaves goes before its next. Twice here: V8 keeps the pages a collection
  // frees until the next one, and the heap does not grow back to the model's size.
  collectGarbage();
  collectGarbage();
  const kills: (() => void)[] = [];
  const helpers = Math.max(0, Math.min(workers, runFiles.length) - 1);
  const elsewhere = Array.from({ length: helpers }, () => writeRunsInWorker(target, queue, (kill) => kills.push(kill)));
  const here = async () => {
    let written = 0;
    for (let runFile: string | undefined = runFiles[0]; runFile; runFile = queue.shift()) {
      written += await writePages(target.projectDir, target.out, readRun(runFile));
      // The workers' answers wait for a turn of the event loop, which a run of Eleventy does not give: a worker with its runs written would wait idle.
      await new Promise((resolvePromise) => setImmediate(resolvePromise));
      collectGarbage();
    }
    return written;
  };
  const all = [here(), ...elsewhere];
  try {
    const counts = await Promise.all(all);
    return counts.reduce((sum, count) => sum + count, 0);
  } catch (error) {
    // No process starts another run, and the workers stop now.
    queue.length = 0;
    for (const kill of kills) kill();
    // This process's own run cannot be stopped midway: nothing may write into the staging folder once the caller removes it.
    await Promise.allSettled(all);
    throw error;
  } finally {
    rmSync(runsDir, { recursive: true, force: true });
  }
}
