import Eleventy from "@11ty/eleventy";
import { existsSync, readdirSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { loadArchive } from "./archive.js";
import { ContentError } from "./diagnostics.js";
import { ARTICLES_DIR } from "./load.js";

export interface BuildOptions {
  /** Where the finished site goes; replaced only when the whole build succeeded. */
  out: string;
  articlesDir?: string;
  /** The project folder holding `.eleventy.ts`, `content/` and `templates/`. */
  projectDir?: string;
}

export interface BuildResult {
  pages: number;
  articles: number;
  ms: number;
}

/** A failed build, with the exit status it calls for: 1 for bad content, 2 for bad configuration. */
export class BuildError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2) {
    super(message);
    this.name = "BuildError";
  }
}

function findCause(error: unknown): ContentError | undefined {
  for (let e = error; e instanceof Error; e = e.cause) {
    if (e instanceof ContentError) return e;
  }
  return undefined;
}

const PARTIAL = ".partial-";

/** Remove what a killed build left beside the output. */
function removeLeftovers(out: string): void {
  const parent = dirname(out);
  const prefix = `.${basename(out)}${PARTIAL}`;
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent)) {
    if (name.startsWith(prefix)) rmSync(join(parent, name), { recursive: true, force: true });
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
  // Content errors are reported before Eleventy starts, once, in file:line form.
  let articles: number;
  try {
    articles = loadArchive(articlesDir).articles.length;
  } catch (error) {
    if (error instanceof ContentError) throw new BuildError(error.message, 1);
    throw error;
  }
  removeLeftovers(out);
  const partial = join(dirname(out), `.${basename(out)}${PARTIAL}${process.pid}`);
  const discard = () => rmSync(partial, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals) => {
    discard();
    process.kill(process.pid, signal);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const previousDir = process.env.ARCHIVE_ARTICLES_DIR;
  process.env.ARCHIVE_ARTICLES_DIR = articlesDir;
  try {
    const eleventy = new Eleventy(join(projectDir, "content"), partial, {
      configPath: join(projectDir, ".eleventy.ts"),
      quietMode: true,
    });
    eleventy.setIsVerbose(false);
    // Eleventy answers [passthrough copies, written templates].
    const [, templates] = (await eleventy.write()) as [unknown[], unknown[]];
    const pages = templates.length;
    const replaced = `${partial}.old`;
    if (existsSync(out)) renameSync(out, replaced);
    renameSync(partial, out);
    rmSync(replaced, { recursive: true, force: true });
    return { pages, articles, ms: performance.now() - started };
  } catch (error) {
    const content = findCause(error);
    if (content) throw new BuildError(content.message, 1);
    throw error;
  } finally {
    discard();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (previousDir === undefined) delete process.env.ARCHIVE_ARTICLES_DIR;
    else process.env.ARCHIVE_ARTICLES_DIR = previousDir;
  }
}
