import { createHash } from "node:crypto";
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Archive } from "./archive.js";
import type { SiteMetadata } from "./site.js";
import { PATHS, outputPath } from "./urls.js";

/**
 * Incremental builds. Every article page and list page gets a fingerprint of
 * all it is made from: its own item of the site model, the shared inputs
 * every page sees (site metadata, navigation, fixed URLs) and the code and
 * templates. A build writes only the pages whose fingerprint changed, takes
 * the others from the previous output, and always writes the one-off pages
 * (home, feeds, sitemap…), so its output is the same as a full build's.
 */

const MANIFEST_VERSION = 1;

export interface Manifest {
  version: number;
  /** Output page URL -> fingerprint. */
  pages: Record<string, string>;
}

function sha(...parts: string[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part).update("\0");
  return hash.digest("base64url");
}

function filesBelow(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** A fingerprint of everything besides the articles that shapes the output: code, templates, page templates, dependencies. */
export function codeFingerprint(projectDir: string): string {
  const contentDir = join(projectDir, "content");
  const files = [
    join(projectDir, ".eleventy.ts"),
    join(projectDir, "package-lock.json"),
    ...filesBelow(join(projectDir, "src")),
    ...filesBelow(join(projectDir, "templates")),
    ...readdirSync(contentDir, { withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(contentDir, entry.name))
      .sort(),
  ];
  return sha(...files.flatMap((file) => [file.slice(projectDir.length), existsSync(file) ? readFileSync(file, "utf8") : ""]));
}

/** The fingerprint of every article and list page. */
export function pageFingerprints(archive: Archive, site: SiteMetadata, code: string): Map<string, string> {
  const shared = sha(code, JSON.stringify(site), JSON.stringify(archive.nav), JSON.stringify(PATHS));
  const fingerprints = new Map<string, string>();
  for (const article of archive.articles) fingerprints.set(article.url, sha(shared, JSON.stringify(article)));
  for (const page of archive.listPages) fingerprints.set(page.url, sha(shared, JSON.stringify(page)));
  return fingerprints;
}

/** URLs of the pages unchanged since the previous build (none known: none), to take from its output. */
export function unchangedPages(fingerprints: Map<string, string>, previous: Manifest | undefined): string[] {
  if (!previous) return [];
  return [...fingerprints].filter(([url, fingerprint]) => previous.pages[url] === fingerprint).map(([url]) => url);
}

/** Where the manifest of an output folder is kept: with the project's caches, not in the site. */
export function manifestPath(projectDir: string, out: string): string {
  return join(projectDir, "node_modules", ".cache", "news-archive", `build-${sha(resolve(out)).slice(0, 16)}.json`);
}

export function readManifest(path: string): Manifest | undefined {
  try {
    const manifest = JSON.parse(readFileSync(path, "utf8")) as Manifest;
    return manifest.version === MANIFEST_VERSION ? manifest : undefined;
  } catch {
    return undefined;
  }
}

export function writeManifest(path: string, fingerprints: Map<string, string>): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ version: MANIFEST_VERSION, pages: Object.fromEntries(fingerprints) } satisfies Manifest));
}

export function forgetManifest(path: string): void {
  rmSync(path, { force: true });
}

/**
 * Put the reused pages of the previous output into the new one. Hard links
 * cost no copying; the previous output is deleted once the new one is in place.
 * Returns the URLs whose file was missing, which must be written after all.
 */
export function reusePages(previousOut: string, nextOut: string, urls: string[]): string[] {
  const missing: string[] = [];
  const made = new Set<string>();
  for (const url of urls) {
    const file = outputPath(url);
    const from = join(previousOut, file);
    const to = join(nextOut, file);
    const dir = dirname(to);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    try {
      linkSync(from, to);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") missing.push(url);
      else if (code === "EXDEV" || code === "EPERM" || code === "EMLINK") copyFileSync(from, to);
      else throw error;
    }
  }
  return missing;
}
