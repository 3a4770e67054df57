import type { AnyNode, Document, Element } from "domhandler";
import { DomUtils, parseDocument } from "htmlparser2";
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";
import { outputPath } from "../src/urls.js";

/** The project folder. */
export const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** The five original exports, the tests' own copy: the archive in content/articles is the editor's and may change. */
export const SEEDS = join(PROJECT, "tests/fixtures/seeds");
export const SEED_FILES = [
  "000_52ce23d16fbdbab1.txt",
  "001_c863029566155c19.txt",
  "002_911a0816af94599d.txt",
  "003_0888aff46d256542.txt",
  "004_648e72c0b8165bae.txt",
] as const;

export function seedText(name: (typeof SEED_FILES)[number]): string {
  return readFileSync(join(SEEDS, name), "utf8");
}

/** The article the teasers of seeds 000 and 001 name, which the archive does not hold. */
export const CHILDCARE = [
  "Home>Harbin Today",
  "",
  "Harbin ramps up childcare services",
  "",
  "Updated : 2023-05-02",
  "",
  "By ( e.my399.com )",
  "",
  "A new comprehensive service center for childcare in Harbin is expected to be finished by the end of the year.",
  "The center will offer day care for children under three.",
].join("\n");

/**
 * The folder holding the temporary folders of this test file (or of a script
 * such as `npm run screenshots`), made at the first one and removed at the
 * end: a whole suite's sites and clones came to gigabytes a run.
 */
let testRoot: string | undefined;

function removeTestRoot(root: string): void {
  try {
    rmSync(root, { recursive: true, force: true });
  } catch {
    // A test that failed before it made its folder mutable again leaves it immutable.
    spawnSync("chattr", ["-R", "-i", root]);
    rmSync(root, { recursive: true, force: true });
  }
}

const removeTestFolders = () => testRoot && removeTestRoot(testRoot);
// Vitest stops its workers rather than letting them exit: there the folder goes once the file's tests are done.
if (process.env.VITEST) afterAll(removeTestFolders);
else process.once("exit", removeTestFolders);

/** A fresh temporary folder, removed at the end of the test file or script. */
export function tempDir(prefix = "archive-test-"): string {
  testRoot ??= mkdtempSync(join(tmpdir(), "news-archive-tests-"));
  return mkdtempSync(join(testRoot, prefix));
}

/** A temporary articles folder holding the seeds plus the given extra files. */
export function articlesWith(extra: Record<string, string | Uint8Array> = {}, withSeeds = true): string {
  const dir = join(tempDir("articles-"), "articles");
  mkdirSync(dir, { recursive: true });
  if (withSeeds) cpSync(SEEDS, dir, { recursive: true });
  for (const [name, content] of Object.entries(extra)) writeFileSync(join(dir, name), content);
  return dir;
}

export interface BuildRun {
  out: string;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the real build CLI, as `npm run build` does, in a child process. */
export function runCli(script: string, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ["--import", "tsx", join(PROJECT, "src/cli", script), ...args], {
    cwd: PROJECT,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
}

/** Build the site from an articles folder (the project's own by default) into a new temporary folder. */
export function buildSite(articlesDir?: string, env: Record<string, string> = {}, out = join(tempDir("site-"), "_site"), options: string[] = []): BuildRun {
  const args = ["--out", out, ...(articlesDir ? ["--articles", articlesDir] : []), ...options];
  const run = runCli("build.ts", args, env);
  return { out, status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `text` in a regular expression, matched as it is: file names, paths and URLs hold dots. */
export function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The HTML (or other text) a built site serves at a URL path. */
export function readPage(out: string, url: string): string {
  return readFileSync(join(out, outputPath(url)), "utf8");
}

/**
 * The non-blank lines of a raw export after its `By ( source )` line, with
 * white space collapsed by a regular expression of its own rather than by
 * src/text.ts, as the independent expectation for the parser.
 */
export function exportBodyLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/).map((line) => line.replace(/[\s\u00a0\ufeff]+/g, " ").trim());
  return lines.slice(lines.findIndex((line) => line.startsWith("By (")) + 1).filter((line) => line !== "");
}

/** A raw export in the seeds' format. */
export function rawExport(article: { section: string; headline: string; date: string; paragraphs: string[]; source?: string }): string {
  const header = [`Home>${article.section}`, article.headline, `Updated : ${article.date}`, `By ( ${article.source ?? "e.my399.com"} )`];
  return `${[...header, ...article.paragraphs].join("\n\n")}\n`;
}

/** A built page as a DOM. */
export function pageDocument(out: string, url: string): Document {
  return parseDocument(readPage(out, url));
}

/** The elements with a tag name under a node, in document order. */
export function elementsByTag(root: AnyNode | AnyNode[], tag: string): Element[] {
  return DomUtils.findAll((el) => el.name === tag, Array.isArray(root) ? root : [root]);
}

/** The text a reader sees in an element, entities decoded. */
export function textOf(node: AnyNode): string {
  return DomUtils.textContent(node);
}

/** The link targets under a node. */
export function hrefsIn(root: AnyNode | AnyNode[]): string[] {
  return elementsByTag(root, "a").flatMap((a) => (a.attribs.href === undefined ? [] : [a.attribs.href]));
}

/** Every file under a folder, by `/`-separated relative path, with the SHA-256 of its bytes. */
export function fileHashes(dir: string): Record<string, string> {
  const files = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  const hashes: Record<string, string> = {};
  for (const entry of files) {
    const path = join(entry.parentPath, entry.name);
    hashes[relative(dir, path).split(sep).join("/")] = createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return Object.fromEntries(Object.entries(hashes).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** What a build leaves beside its output folder other than the output itself. */
export function leftovers(out: string): string[] {
  return readdirSync(dirname(out)).filter((name) => name.startsWith(`.${basename(out)}.`));
}

/** A TCP port nobody listens on. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePromise(port));
    });
  });
}

/** `npm start`'s process, as the tests and the bench run it. */
export interface DevServer {
  origin: string;
  /** What it printed so far, standard output and error, its builds' included. */
  output(): string;
  /** SIGTERM, as one kill of the process; resolves once it ended. */
  stop(): Promise<void>;
}

/** The dev server of `project` over a folder of articles, building into `out`. */
export async function startDevServer(articles: string, out: string, project = PROJECT): Promise<DevServer> {
  const port = await freePort();
  const server = spawn(process.execPath, ["--import", "tsx", "src/cli/serve.ts", `--port=${port}`, `--out=${out}`], { cwd: project, env: { ...process.env, ARCHIVE_ARTICLES_DIR: articles } });
  let output = "";
  server.stdout.on("data", (chunk) => (output += chunk));
  server.stderr.on("data", (chunk) => (output += chunk));
  const ended = new Promise<void>((resolvePromise) => server.on("exit", () => resolvePromise()));
  return {
    origin: `http://127.0.0.1:${port}`,
    output: () => output,
    stop: async () => {
      server.kill("SIGTERM");
      await ended;
    },
  };
}

/** Wait until `check` holds, checking again whenever the server may have rebuilt; give up after a minute. */
export async function until(what: string, check: () => Promise<boolean> | boolean): Promise<void> {
  for (let attempt = 0; attempt < 240; attempt++) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting for ${what}`);
}

/** The project's files as a clone has them: tracked, or new and not ignored. */
export function projectFiles(): string[] {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: PROJECT, encoding: "utf8" });
  if (listed.status !== 0) throw new Error(`git ls-files: ${listed.stderr}`);
  return listed.stdout.split("\0").filter((file) => file !== "" && existsSync(join(PROJECT, file)));
}

/**
 * A copy of the repository alone in an empty folder, with no folder beside
 * it, as a user's clone is. The installed packages are linked in, since
 * installing them again would only time the registry; `copied` hard-links a
 * copy of them instead, for a clone that another user can read whole.
 */
export function freshClone(packages: "linked" | "copied" = "linked"): string {
  const repo = join(tempDir("clone-"), "repo");
  for (const file of projectFiles()) {
    mkdirSync(dirname(join(repo, file)), { recursive: true });
    cpSync(join(PROJECT, file), join(repo, file));
  }
  const modules = join(PROJECT, "node_modules");
  if (packages === "linked") symlinkSync(modules, join(repo, "node_modules"), "dir");
  else if (spawnSync("cp", ["-al", modules, join(repo, "node_modules")]).status !== 0) cpSync(modules, join(repo, "node_modules"), { recursive: true });
  return repo;
}

/** Run a shell command line, as a user types it. */
export function sh(cwd: string, command: string, env: Record<string, string> = {}): SpawnSyncReturns<string> {
  return spawnSync("sh", ["-c", command], { cwd, encoding: "utf8", env: { ...process.env, ...env }, timeout: 170_000 });
}

/** Whether the machine lets a test do `what`; off CI a test without it is skipped with a message, on CI it fails. */
export function can(what: string, probe: () => boolean): boolean {
  let able = false;
  try {
    able = probe();
  } catch {
    able = false;
  }
  if (!able && process.env.CI === "true") throw new Error(`CI must be able to ${what}`);
  if (!able) console.warn(`skipped: this machine cannot ${what}`);
  return able;
}

/** Whether the tests run as root, which some need (mounting, chattr). */
export const isRoot = process.getuid?.() === 0;
