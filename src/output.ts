import { accessSync, constants, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, realpathSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { readStamp } from "./stamp.js";

/**
 * The output folder and what a build keeps beside it. A build writes the
 * whole new site into `staging` (taking unchanged pages from the live site
 * by hard links) and swaps it in with two renames, so the live folder is
 * never half old, half new: a failure or a kill before the swap leaves it
 * as it was, and one between the two renames is undone by the next build.
 */
export interface Output {
  /** The folder as given. */
  out: string;
  /** The folder the site lives in: `out`, or the folder a symlink at `out` leads to, which keeps the link. */
  live: string;
  staging: string;
  /** Where the previous site waits between the two renames of a swap. */
  aside: string;
  /** Held by the one build at a time that may write the folder. */
  lock: string;
}

/** An environment problem with the output folder: exit status 2. */
export class OutputError extends Error {}

export function outputFor(out: string): Output {
  const link = lstatSync(out, { throwIfNoEntry: false });
  const live = link?.isSymbolicLink() ? realpathSync(out) : out;
  const beside = (suffix: string) => join(dirname(live), `.${basename(live)}.${suffix}`);
  return { out, live, staging: beside("partial"), aside: beside("old"), lock: beside("lock") };
}

/** True when `path` is `folder` or inside it. */
export function within(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith("/"));
}

/**
 * Refuse a folder the build would wreck by replacing it: one that holds or
 * lies among the sources, or holds files this tool did not build. An empty
 * folder, or one stamped by an earlier build (or with its manifest, from
 * before builds were stamped), is the tool's to replace.
 */
export function guardOutput(output: Output, project: string, sources: string[], knownBuild: boolean): void {
  const { live } = output;
  for (const source of [project, ...sources]) {
    // The output may lie in the project, as _site does, but not hold it, nor lie in or hold any other source.
    if (within(source, live) || (source !== project && within(live, source))) {
      throw new OutputError(`expected an output folder apart from the sources, found ${live}, which overlaps ${source}`);
    }
  }
  const stat = statSync(live, { throwIfNoEntry: false });
  if (!stat) return;
  if (!stat.isDirectory()) throw new OutputError(`expected an output folder, found a file at ${live}`);
  if (readdirSync(live).length === 0 || readStamp(live) || knownBuild) return;
  throw new OutputError(
    `expected an empty folder or a site this tool built at ${live}, found other files (${readdirSync(live).slice(0, 3).join(", ")}…); ` +
      "choose another --out, or empty the folder if its files may go",
  );
}

/**
 * Every folder of the live site must be one this user may empty: a site
 * built once as another user (root) would otherwise be swapped out and
 * leave an old copy nobody but that user can remove.
 */
export function guardReplaceable(output: Output): void {
  if (!existsSync(output.live)) return;
  const folders = [output.live, ...readdirSync(output.live, { recursive: true, withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(e.parentPath, e.name))];
  for (const folder of [dirname(output.live), ...folders]) {
    try {
      accessSync(folder, constants.W_OK | constants.X_OK);
    } catch {
      const owner = statSync(folder).uid;
      throw new OutputError(
        `expected to be able to replace ${output.live}, found ${folder} not writable by this user (uid ${process.getuid?.()}; the folder belongs to uid ${owner}); ` +
          "give the folder to this user (chown -R) or build as its owner",
      );
    }
  }
}

/**
 * Put back what a killed build left: the previous site, if it was moved
 * aside and nothing took its place; remove the rest. Returns whether the
 * live site may be mixed, which only a build of an earlier version of this
 * tool could leave (it moved pages into place one by one, under a journal):
 * then the next build must write every page.
 */
export function recover(output: Output): { mixed: boolean } {
  const parent = dirname(output.live);
  const name = basename(output.live);
  // Earlier versions named their folders by process id: `._site.partial-PID` and `._site.partial-PID.old`.
  const legacy = existsSync(parent) ? readdirSync(parent).filter((entry) => entry.startsWith(`.${name}.partial-`)) : [];
  const asides = [output.aside, ...legacy.filter((entry) => entry.endsWith(".old")).map((entry) => join(parent, entry))];
  for (const aside of asides) if (existsSync(aside) && !existsSync(output.live)) renameSync(aside, output.live);
  for (const leftover of [output.aside, output.staging, ...legacy.map((entry) => join(parent, entry))]) rmSync(leftover, { recursive: true, force: true });
  const journal = join(parent, `.${name}.commit.json`);
  const mixed = existsSync(journal);
  rmSync(journal, { force: true });
  return { mixed };
}

/** Give `staging` the live site's copies of `files` (paths relative to the site): hard links where the file system allows, copies elsewhere. */
export function takeUnchanged(output: Output, files: string[]): void {
  const made = new Set<string>();
  for (const file of files) {
    const to = join(output.staging, file);
    if (!made.has(dirname(to))) {
      mkdirSync(dirname(to), { recursive: true });
      made.add(dirname(to));
    }
    try {
      linkSync(join(output.live, file), to);
    } catch (error) {
      // Another device, a file system without links, or a file another user owns (protected_hardlinks).
      if (!["EXDEV", "EPERM", "EMLINK", "ENOTSUP", "EACCES"].includes((error as NodeJS.ErrnoException).code ?? "")) throw error;
      copyFileSync(join(output.live, file), to);
    }
  }
}

/** Put the staged site in place of the live one: two renames, the only moment a kill must wait for. */
export function swapIn(output: Output, duringSwap: (swapping: boolean) => void): void {
  duringSwap(true);
  try {
    if (existsSync(output.live)) renameSync(output.live, output.aside);
    renameSync(output.staging, output.live);
  } catch (error) {
    if (existsSync(output.aside) && !existsSync(output.live)) renameSync(output.aside, output.live);
    throw error;
  } finally {
    duringSwap(false);
  }
  rmSync(output.aside, { recursive: true, force: true });
}
