import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { HtmlValidate, StaticConfigLoader, version, type ConfigData, type ResolvedConfig } from "html-validate";
import { inThread } from "../threads.js";
import type { Problem } from "./problem.js";
import type { SiteFile } from "./site.js";

/** The committed configuration, at the project's top level. */
export const HTML_VALIDATE_CONFIG = new URL("../../.htmlvalidate.json", import.meta.url);

/**
 * The configuration resolved once for every page. html-validate's own
 * loaders resolve it again for each file name, merging the element metadata
 * anew: that was a third of the time of a check.
 */
class ResolvedOnceLoader extends StaticConfigLoader {
  private resolved?: ResolvedConfig | Promise<ResolvedConfig>;

  override getConfigFor(handle: string, override?: ConfigData): ResolvedConfig | Promise<ResolvedConfig> {
    if (override) return super.getConfigFor(handle, override);
    return (this.resolved ??= super.getConfigFor(handle));
  }
}

/** One validator for every page, with the committed rules and no configuration file found on the way. */
export function createValidator(configFile: URL | string = HTML_VALIDATE_CONFIG): HtmlValidate {
  const config = JSON.parse(readFileSync(configFile, "utf8")) as ConfigData;
  return new HtmlValidate(new ResolvedOnceLoader({ ...config, root: true }));
}

/** What html-validate says of one page's source, wherever the page is. */
export type Finding = Omit<Problem, "page">;

export async function validateSource(validator: HtmlValidate, source: string, file: string): Promise<Finding[]> {
  const report = await validator.validateString(source, file);
  return report.results.flatMap((result) => result.messages.map((m) => ({ rule: `html/${m.ruleId}`, message: `${m.line}:${m.column}: ${m.message}` })));
}

/**
 * Findings kept by the SHA-256 of a page's source: a page that did not
 * change since the last check is not validated again. The rules and the
 * validator's version head the file, and other ones void it.
 */
interface Kept {
  rules: string;
  findings: Record<string, Finding[]>;
}

function rulesKey(): string {
  return createHash("sha256").update(version).update(readFileSync(HTML_VALIDATE_CONFIG)).digest("base64url");
}

function readKept(file: string | undefined, rules: string): Record<string, Finding[]> {
  if (!file) return {};
  try {
    const kept = JSON.parse(readFileSync(file, "utf8")) as Kept;
    return kept.rules === rules ? kept.findings : {};
  } catch {
    return {};
  }
}

// A worker thread costs about half a second to start: below this many pages it would not pay.
const PAGES_FOR_A_WORKER = 50;
// Pages to validate for each further worker thread, up to one per core.
const PAGES_PER_WORKER = 400;
const WORKER = new URL("./html-worker.ts", import.meta.url);

/** Validate sources on worker threads, about evenly shared. */
async function validateInWorkers(sources: { file: string; source: string }[], workers: number): Promise<Finding[][]> {
  const shares = Array.from({ length: workers }, (_, i) => sources.filter((_, j) => j % workers === i));
  const answers = await Promise.all(shares.map((share) => inThread<Finding[][]>(WORKER, share)));
  const findings: Finding[][] = [];
  sources.forEach((_, j) => findings.push(answers[j % workers][Math.floor(j / workers)]));
  return findings;
}

/**
 * html-validate on every page: findings of a page unchanged since the last
 * check come from `keptFile` (unless `reuse` is off), the others are
 * validated, on every core when there are enough of them, and all are kept
 * for the next check.
 */
export async function validatePages(pages: SiteFile[], keptFile?: string, reuse = true): Promise<Problem[]> {
  const rules = rulesKey();
  const kept = reuse ? readKept(keptFile, rules) : {};
  const keys = pages.map((page) => createHash("sha256").update(page.source).digest("base64url"));
  const missing = pages.flatMap((page, i) => (kept[keys[i]] ? [] : [{ file: page.file, source: page.source, key: keys[i] }]));
  // Even one worker thread validates while this thread checks links and content.
  const workers = missing.length < PAGES_FOR_A_WORKER ? 0 : Math.min(availableParallelism(), Math.ceil(missing.length / PAGES_PER_WORKER));
  let found: Finding[][];
  if (workers > 0) found = await validateInWorkers(missing, workers);
  else {
    const validator = createValidator();
    found = [];
    for (const { source, file } of missing) found.push(await validateSource(validator, source, file));
  }
  const now: Record<string, Finding[]> = {};
  missing.forEach(({ key }, i) => (now[key] = found[i]));
  for (const key of keys) now[key] ??= kept[key];
  if (keptFile) {
    mkdirSync(dirname(keptFile), { recursive: true });
    writeFileSync(`${keptFile}.new`, JSON.stringify({ rules, findings: now } satisfies Kept));
    renameSync(`${keptFile}.new`, keptFile);
  }
  return pages.flatMap((page, i) => now[keys[i]].map((finding) => ({ page: page.url, ...finding })));
}
