import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * What a build leaves at the root of its output, as Sphinx leaves
 * `.buildinfo`: the settings the site was built with, which the check reads
 * rather than asking for them again, and the sign that the folder is this
 * tool's to replace.
 */
export interface Stamp {
  generator: typeof GENERATOR;
  /** The base URL the site's absolute links use. */
  siteUrl: string;
  /** Whether the build wrote a search index. */
  search: boolean;
}

export const STAMP_FILE = ".news-archive.json";
const GENERATOR = "news-archive";

export function writeStamp(dir: string, stamp: Omit<Stamp, "generator">): void {
  writeFileSync(join(dir, STAMP_FILE), `${JSON.stringify({ generator: GENERATOR, ...stamp } satisfies Stamp)}\n`);
}

/** The stamp of a folder this tool built, or undefined for any other folder. */
export function readStamp(dir: string): Stamp | undefined {
  try {
    const stamp = JSON.parse(readFileSync(join(dir, STAMP_FILE), "utf8")) as Partial<Stamp>;
    return stamp.generator === GENERATOR && typeof stamp.siteUrl === "string" ? (stamp as Stamp) : undefined;
  } catch {
    return undefined;
  }
}
