import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { quote, type Diagnostic } from "./diagnostics.js";
import { ID_PATTERN } from "./record.js";
import { compareText, splitLines } from "./text.js";

/**
 * The URL ledger: every article URL the archive has published, with the
 * identity of the article it belongs to. It lives beside the articles
 * folder (`content/url-ledger.tsv` for `content/articles/`) and is
 * committed with them: deleting the site, the cache or `node_modules` loses
 * nothing of it. A URL an article no longer has redirects to its page; a
 * URL whose article is gone says that it was removed.
 *
 * One line per URL, sorted, `URL<TAB>id`, so that two editors adding
 * articles merge without a conflict, and a diff shows each new URL.
 */

export const LEDGER_FILE = "url-ledger.tsv";

const HEADER = [
  "# The article URLs this archive has published, each with the id of its article.",
  "# A URL its article no longer has redirects to the article; one whose article is gone serves a removed page.",
  "# Written by `npm run build`: commit it with the articles, and do not remove lines.",
];

/** Where the ledger of an articles folder is kept. */
export function ledgerPath(articlesDir: string): string {
  return join(dirname(resolve(articlesDir)), LEDGER_FILE);
}

export interface LedgerEntry {
  id: string;
  /** Its line in the file, for messages. */
  line: number;
}

export interface Ledger {
  /** As messages show it: relative to the working folder. */
  file: string;
  /** Published URL -> the article it belongs to. */
  urls: Map<string, LedgerEntry>;
}

// An article URL as urls.ts makes them, or an alias as record.ts allows them.
const URL_PATTERN = /^\/[^\s]*$/;

/** Read a ledger; a missing file is an empty ledger (an archive that never built). */
export function readLedger(path: string, cwd = process.cwd()): { ledger: Ledger; problems: Diagnostic[] } {
  const file = relative(cwd, path) || path;
  const ledger: Ledger = { file, urls: new Map() };
  const problems: Diagnostic[] = [];
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { ledger, problems };
    throw error;
  }
  splitLines(text).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === "" || raw.startsWith("#")) return;
    const fields = raw.split("\t");
    const [url, id] = fields;
    if (fields.length !== 2 || !URL_PATTERN.test(url) || !ID_PATTERN.test(id)) {
      // A merge left half-resolved shows as its markers: say so.
      const hint = /^(<<<<<<<|=======|>>>>>>>)/.test(raw) ? " (a merge conflict marker: keep the lines of both sides)" : "";
      problems.push({ file, line, message: `expected a line "URL<TAB>article id", found ${quote(raw)}${hint}` });
      return;
    }
    const first = ledger.urls.get(url);
    if (first && first.id !== id) problems.push({ file, line, message: `expected each URL once, found ${url} for ${id} and, at line ${first.line}, for ${first.id}` });
    else if (!first) ledger.urls.set(url, { id, line });
  });
  return { ledger, problems };
}

/** The ledger's text for URL -> id: sorted, one line each. */
export function formatLedger(urls: Map<string, string>): string {
  const lines = [...urls].sort(([a], [b]) => compareText(a, b)).map(([url, id]) => `${url}\t${id}`);
  return `${[...HEADER, ...lines].join("\n")}\n`;
}

/** Write the ledger's text (see formatLedger) when it changed, whole or not at all. */
export function writeLedger(path: string, text: string): boolean {
  let old: string | undefined;
  try {
    old = readFileSync(path, "utf8");
  } catch {
    // None yet.
  }
  if (old === text) return false;
  writeFileSync(`${path}.new`, text);
  renameSync(`${path}.new`, path);
  return true;
}
