import Eleventy from "@11ty/eleventy";
import { fork } from "node:child_process";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { Archive } from "./archive.js";
import { BuildError, describeError, environmentError, findCause } from "./build-error.js";
import { configureSite } from "./eleventy/site-config.js";
import type { RenderSelection } from "./render-plan.js";

/*
 * The runs of a build: Eleventy writing a selection of pages into the
 * staging folder, in this process or in a worker process per core.
 */

// Eleventy holds every page of a run in memory until the run ends: runs of
// this many pages keep a large archive's build within a few hundred MB.
export const PAGES_PER_RUN = 2500;

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
export async function writePages(projectDir: string, out: string, archive: Archive, selection: RenderSelection): Promise<number> {
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


/** A run's pages by URL: what crosses into a worker, which loads the archive itself. */
export interface RunSpec {
  articles: string[];
  listPages: string[];
  feeds: string[];
  redirects: string[];
  once: boolean;
}

function specOf(run: RenderSelection): RunSpec {
  const urls = (items: { url: string }[]) => items.map((item) => item.url);
  return { articles: urls(run.articles), listPages: urls(run.listPages), feeds: urls(run.feeds), redirects: urls(run.redirects), once: run.once };
}

/** The pages a spec names, from an archive loaded from the same files. */
export function selectionOf(archive: Archive, spec: RunSpec): RenderSelection {
  const pick = <T extends { url: string }>(items: T[], urls: string[]) => {
    const wanted = new Set(urls);
    return items.filter((item) => wanted.has(item.url));
  };
  return {
    articles: pick(archive.articles, spec.articles),
    listPages: pick(archive.listPages, spec.listPages),
    feeds: pick(archive.feeds, spec.feeds),
    redirects: pick(archive.redirects, spec.redirects),
    once: spec.once,
  };
}

/** What a worker needs to load the archive as the build did, and the runs it writes. */
export interface WorkerTask {
  projectDir: string;
  articlesDir: string;
  /** The URL ledger the build read. */
  ledgerFile: string;
  /** The saved parses, which the build saved before starting its workers. */
  parsesDir: string;
  code: string;
  /** The build's clock, so that a worker judges dates as the build did. */
  now: number;
  out: string;
  runs: RunSpec[];
}

/** A worker's answer: the pages it wrote, or why it stopped. */
export type WorkerReply = { written: number } | { error: string; exitCode: 1 | 2 };

/** Write runs one after another in this process, collecting garbage between them. */
export async function writeRunsHere(projectDir: string, out: string, archive: Archive, runs: RenderSelection[]): Promise<number> {
  const collectGarbage = garbageCollector();
  let written = 0;
  for (const [i, run] of runs.entries()) {
    if (i > 0) collectGarbage();
    written += await writePages(projectDir, out, archive, run);
  }
  return written;
}

const WORKER = new URL("./cli/render-worker.ts", import.meta.url);

/** One worker process writing its runs; rejects with a build error when it fails or is killed. */
function writeRunsInWorker(task: WorkerTask, started: (kill: () => void) => void): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const worker = fork(WORKER, [], { cwd: task.projectDir, execArgv: ["--import", "tsx"], stdio: ["ignore", "ignore", "inherit", "ipc"] });
    started(() => worker.kill("SIGKILL"));
    let reply: WorkerReply | undefined;
    worker.on("message", (message: WorkerReply) => (reply = message));
    // A worker that started and then failed (killed before it read its task: EPIPE) is reported when it exits.
    worker.on("error", (error) => worker.pid === undefined && reject(new BuildError(`expected a render worker to start, found ${error.message}`, 2)));
    worker.on("exit", (code, signal) => {
      if (reply && "written" in reply) resolvePromise(reply.written);
      else if (reply) reject(new BuildError(reply.error, reply.exitCode));
      else reject(new BuildError(`expected the render worker (process ${worker.pid}) to write its pages, found it ended by ${signal ?? `exit status ${code}`}`, 2));
    });
    worker.send(task);
  });
}

/**
 * Write the runs on every core: this process writes the first share with
 * the archive it holds, one worker process per further share loads the
 * archive from the saved parses and writes its own. Pages do not depend on
 * which process writes them, so the output is the same for any number of
 * workers. When one fails, the others are stopped.
 */
export async function writeRuns(task: Omit<WorkerTask, "runs">, archive: Archive, runs: RenderSelection[], workers: number): Promise<number> {
  const shares: RenderSelection[][] = Array.from({ length: Math.max(1, Math.min(workers, runs.length)) }, () => []);
  runs.forEach((run, i) => shares[i % shares.length].push(run));
  const kills: (() => void)[] = [];
  const elsewhere = shares.slice(1).map((share) => writeRunsInWorker({ ...task, runs: share.map(specOf) }, (kill) => kills.push(kill)));
  const all = [writeRunsHere(task.projectDir, task.out, archive, shares[0]), ...elsewhere];
  try {
    const counts = await Promise.all(all);
    return counts.reduce((sum, count) => sum + count, 0);
  } catch (error) {
    for (const kill of kills) kill();
    // This process's own share cannot be stopped midway: nothing may write into the staging folder once the caller removes it.
    await Promise.allSettled(all);
    throw error;
  }
}
