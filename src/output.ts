import { accessSync, constants, copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { readdir, rmdir, unlink } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { lock, type Owner } from "./owner.js";
import { readStamp, STAMP_FILE } from "./stamp.js";

/**
 * The output folder and what a build keeps beside it. A full build writes
 * the whole new site into `staging` and swaps it in with two renames, so a
 * failure or a kill leaves the live folder as it was (one between the two
 * renames is undone by the next build). An incremental build stages only
 * the pages that changed and moves them into place under a journal, which
 * the next build finishes should this one be killed or fail halfway; moving
 * a hundred files costs a fraction of linking and removing a whole tree.
 * Only the build holding the lock touches the folder, and a journal is
 * applied only to the site state it was written for.
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
  /** An incremental build's commit, while it moves its pages into place. */
  journal: string;
  /** The runs the build hands its worker processes, while it writes. */
  runs: string;
}

/** An environment problem with the output folder: exit status 2. */
export class OutputError extends Error {}

export function outputFor(out: string): Output {
  const link = lstatSync(out, { throwIfNoEntry: false });
  const live = link?.isSymbolicLink() ? realpathSync(out) : out;
  const beside = (suffix: string) => join(dirname(live), `.${basename(live)}.${suffix}`);
  return { out, live, staging: beside("partial"), aside: beside("old"), lock: beside("lock"), journal: beside("commit.json"), runs: beside("runs") };
}

/** Put `file` at `target` by a hard link, or by a copy where no link can be made (another file system). */
export function linkOrCopy(file: string, target: string): void {
  try {
    linkSync(file, target);
  } catch {
    copyFileSync(file, target);
  }
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
 * The folders of the live site a build changes must be ones this user may
 * write: a site built once as another user (root), or a folder made
 * immutable, would otherwise fail halfway. A full build replaces every
 * folder; an incremental one names those it moves files into or out of.
 */
export function guardReplaceable(output: Output, touched?: string[]): void {
  if (!existsSync(output.live)) return;
  const guard = (folder: string) => {
    try {
      accessSync(folder, constants.W_OK | constants.X_OK);
    } catch {
      const owner = statSync(folder).uid;
      throw new OutputError(
        `expected to be able to change ${output.live}, found ${folder} not writable by this user (uid ${process.getuid?.()}; the folder belongs to uid ${owner}); ` +
          "give the folder to this user (chown -R), make it writable (chattr -i) or build as its owner",
      );
    }
  };
  guard(dirname(output.live));
  guard(output.live);
  if (touched) {
    for (const folder of new Set(touched.map((file) => dirname(join(output.live, file))))) if (existsSync(folder)) guard(folder);
  } else for (const { path, folder } of treeBelow(output.live)) if (folder) guard(join(output.live, path));
}

/**
 * Put back what a killed build left: finish an incremental build's commit
 * cut short, or put the previous site back if a full build moved it aside
 * and nothing took its place; then remove the rest. Returns whether the
 * live site may be mixed (a journal not written for the site as it is, or
 * one of an earlier version of this tool): then the next build must write
 * every page.
 */
export function recover(output: Output): { mixed: boolean } {
  const parent = dirname(output.live);
  const name = basename(output.live);
  let mixed = false;
  const commit = readJournal(output);
  if (commit && commit.stamps.includes(stampIdentity(output.live))) applyCommit(output, commit);
  else if (existsSync(output.journal)) mixed = true;
  // Earlier versions named their folders by process id: `._site.partial-PID` and `._site.partial-PID.old`.
  const legacy = existsSync(parent) ? readdirSync(parent).filter((entry) => entry.startsWith(`.${name}.partial-`)) : [];
  const asides = [output.aside, ...legacy.filter((entry) => entry.endsWith(".old")).map((entry) => join(parent, entry))];
  for (const aside of asides) if (existsSync(aside) && !existsSync(output.live)) renameSync(aside, output.live);
  for (const leftover of [output.aside, output.staging, output.journal, output.runs, ...legacy.map((entry) => join(parent, entry))]) rmSync(leftover, { recursive: true, force: true });
  return { mixed };
}

/** The output folder held by one build, until it lets go. */
export interface Hold {
  /** Tell whether the build is changing the live site: a signal then waits until it is done. */
  committing(now: boolean): void;
  /** Let go of the folder: its staging and run folders removed (not while a commit's journal needs them), the lock released, a deferred signal raised. */
  release(): void;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Take the output folder for one build: wait for the lock, then hold it
 * until `release`. Ctrl-C (or SIGTERM, SIGHUP) stops the build at once,
 * the live site as it was, except while the new site is swapped or moved
 * in: then it waits for that to end. The signal is raised again once
 * handled, to end the process as it would have without a handler. Signals
 * are handled from before the lock is taken, so that none leaves it behind.
 */
export async function holdOutput(output: Output, waiting: (holder: Owner) => void): Promise<Hold> {
  let held: { release(): void } | undefined;
  let committing = false;
  let deferred: NodeJS.Signals | undefined;
  // The handlers go last: a second signal (npm passes its Ctrl-C on to the
  // build, which had one of its own) would otherwise end the process halfway
  // through clearing up, the lock and the runs left behind.
  const letGo = () => {
    try {
      // A commit cut short keeps its staged files for the next build to finish it.
      if (held && !existsSync(output.journal)) rmSync(output.staging, { recursive: true, force: true });
      if (held) rmSync(output.runs, { recursive: true, force: true });
    } finally {
      held?.release();
      for (const signal of SIGNALS) process.off(signal, onSignal);
    }
  };
  function onSignal(signal: NodeJS.Signals) {
    if (committing) {
      deferred = signal;
      return;
    }
    letGo();
    process.kill(process.pid, signal);
  }
  for (const signal of SIGNALS) process.on(signal, onSignal);
  try {
    // `--out dist/site` in a fresh clone: the folders above the output are made, as for any output folder.
    mkdirSync(dirname(output.live), { recursive: true });
    held = await lock(output.lock, waiting);
  } catch (error) {
    letGo();
    throw error;
  }
  return {
    committing: (now) => (committing = now),
    release: () => {
      letGo();
      if (deferred) process.kill(process.pid, deferred);
    },
  };
}

// Three entries of a folder at a time, and as many within each of them: some
// hundred removals under way over the five levels of a site. Node 20's
// fs.promises.rm starts all of a tree's at once (784 MB of memory to remove a
// 241,763-page site, against 82 MB this way) and rmSync one at a time (27 s
// against 13.6 s).
const REMOVALS_PER_FOLDER = 3;

/** Remove a folder and everything in it, several entries at a time. */
async function removeTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true });
  let next = 0;
  const remover = async () => {
    for (let entry = entries[next++]; entry; entry = entries[next++]) {
      const path = join(dir, entry.name);
      await (entry.isDirectory() ? removeTree(path) : unlink(path));
    }
  };
  await Promise.all(Array.from({ length: REMOVALS_PER_FOLDER }, remover));
  await rmdir(dir);
}

/**
 * Put the staged site in place of the live one (two renames) and remove the
 * old one: the only moment a kill must wait for, since half an old site
 * would be left beside the new one.
 */
export async function swapIn(output: Output, duringSwap: (swapping: boolean) => void): Promise<void> {
  duringSwap(true);
  try {
    const replacing = existsSync(output.live);
    try {
      if (replacing) renameSync(output.live, output.aside);
      renameSync(output.staging, output.live);
    } catch (error) {
      if (existsSync(output.aside) && !existsSync(output.live)) renameSync(output.aside, output.live);
      throw error;
    }
    if (replacing) await removeTree(output.aside);
  } finally {
    duringSwap(false);
  }
}

/**
 * An incremental build's changes to the live site: the staged files move
 * into place (re-indexed years of the search index among them) and the
 * files of pages and indexes that are gone are removed. Every step can be
 * done twice.
 */
export interface Commit {
  version: typeof COMMIT_VERSION;
  /** Files of the staging folder, relative to it. */
  files: string[];
  /** Files of the live site to remove, relative to it. */
  removed: string[];
  /** The site states the commit applies to: the live site's stamp before the commit, and the staged one after. */
  stamps: string[];
}

const COMMIT_VERSION = 3;

/** Which stamp file a folder has: the stamp is written anew by every build, so its inode and time tell one site state from another. */
function stampIdentity(dir: string): string {
  const stat = statSync(join(dir, STAMP_FILE), { throwIfNoEntry: false });
  return stat ? `${stat.ino}:${stat.mtimeMs}` : "none";
}

function readJournal(output: Output): Commit | undefined {
  try {
    const commit = JSON.parse(readFileSync(output.journal, "utf8")) as Commit;
    return commit.version === COMMIT_VERSION ? commit : undefined;
  } catch {
    return undefined;
  }
}

/** Carry out a commit (again, if it was cut short), then forget it. */
function applyCommit(output: Output, commit: Commit): void {
  const { live, staging } = output;
  const made = new Set<string>();
  for (const file of commit.files) {
    const from = join(staging, file);
    if (!existsSync(from)) continue;
    const to = join(live, file);
    if (!made.has(dirname(to))) {
      mkdirSync(dirname(to), { recursive: true });
      made.add(dirname(to));
    }
    renameSync(from, to);
  }
  for (const file of commit.removed) {
    rmSync(join(live, file), { force: true });
    // A page's folder goes with its last file.
    for (let dir = dirname(join(live, file)); dir !== live && within(dir, live); dir = dirname(dir)) {
      try {
        rmdirSync(dir);
      } catch {
        break;
      }
    }
  }
  rmSync(output.journal, { force: true });
  rmSync(staging, { recursive: true, force: true });
}

/**
 * Move an incremental build's staged pages into the live site under a
 * journal. A fault halfway (a folder that cannot be written) keeps the
 * journal: the error says the site is partly updated, and the next build
 * finishes the commit before anything else.
 */
export function commitPages(output: Output, files: string[], removed: string[], duringCommit: (committing: boolean) => void): void {
  const commit: Commit = { version: COMMIT_VERSION, files, removed, stamps: [stampIdentity(output.live), stampIdentity(output.staging)] };
  duringCommit(true);
  try {
    writeFileSync(output.journal, JSON.stringify(commit));
    applyCommit(output, commit);
  } catch (error) {
    const left = files.filter((file) => existsSync(join(output.staging, file))).length;
    throw new OutputError(
      `${(error as NodeJS.ErrnoException).path ?? output.live}: ${(error as Error).message}; the site at ${output.live} is partly updated ` +
        `(${files.length - left} of ${files.length} changed files in place): the next build finishes the update`,
    );
  } finally {
    duringCommit(false);
  }
}

/**
 * What lies below `dir`, by path relative to it, each folder before what it
 * holds and read only once the caller moves past it: one folder's listing
 * at a time. A recursive listing of a 241,000-page site was 230 MB of
 * garbage (made into relative paths) or 250 MB of entries (kept whole).
 */
function* treeBelow(dir: string, prefix = ""): Generator<{ path: string; folder: boolean }> {
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const path = prefix + entry.name;
    if (entry.isDirectory()) {
      yield { path, folder: true };
      yield* treeBelow(dir, `${path}/`);
    } else if (entry.isFile()) yield { path, folder: false };
  }
}

/** The files of a built folder, relative to it, in a fixed order. */
export function siteFiles(dir: string): string[] {
  const files: string[] = [];
  for (const { path, folder } of treeBelow(dir)) if (!folder) files.push(path);
  return files.sort();
}
