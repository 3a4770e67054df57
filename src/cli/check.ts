import { existsSync, statSync } from "node:fs";
import { cacheDir, parserFingerprint, removeStale, siteCachePath } from "../plan.js";
import { runCheck } from "../check/index.js";
import { formatReport } from "../check/report.js";
import { ContentError } from "../diagnostics.js";
import { LEDGER_FILE } from "../ledger.js";
import { ARTICLES_DIR, ParseCache } from "../load.js";
import { siteMetadata } from "../site.js";
import { readStamp } from "../stamp.js";
import { dropOutputOnClosedPipe, parseCommandLine, usageError } from "./args.js";

const USAGE = `usage: npm run check [-- DIR] [-- --articles DIR] [--ledger FILE] [--json] [--external] [--external-list]
  DIR              the built site (default _site)
  --articles DIR   the records the site was built from (default ${ARTICLES_DIR})
  --ledger FILE    the URL ledger it was built with (default: ${LEDGER_FILE} beside the articles folder)
  --json           print one JSON document {problems, external, summary} and nothing else
  --external       also fetch every external link (off by default: the check runs offline)
  --external-list  print the external links found
  --full           validate every page's HTML anew, not only pages changed since the last check
exit status: 0 no problems, 1 problems found, 2 usage error`;

function isFolder(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

async function main(): Promise<number> {
  dropOutputOnClosedPipe();
  const parsed = parseCommandLine(
    {
      articles: { type: "string", default: ARTICLES_DIR },
      ledger: { type: "string" },
      json: { type: "boolean" },
      external: { type: "boolean" },
      "external-list": { type: "boolean" },
      full: { type: "boolean" },
    },
    USAGE,
    true,
  );
  if (typeof parsed === "number") return parsed;
  const { values, positionals } = parsed;
  if (positionals.length > 1) return usageError(`expected at most one site folder, found ${positionals.length}: ${positionals.join(" ")}`, USAGE);
  const siteDir = positionals[0] ?? "_site";
  for (const [what, dir] of [["a built site", siteDir], ["a folder of articles", values.articles]]) {
    if (!isFolder(dir)) return usageError(`expected ${what}, found no folder at ${dir}${what === "a built site" ? " (run npm run build first)" : ""}`, USAGE);
  }
  // The site says what base URL it was built with; SITE_URL is only asked of a site built by something else.
  let siteUrl = readStamp(siteDir)?.siteUrl;
  try {
    siteUrl ??= siteMetadata().url;
  } catch (error) {
    console.error((error as Error).message);
    return 2;
  }
  const started = performance.now();
  let result;
  try {
    // Findings and page facts are kept by page content: a page unchanged since the last check is not parsed or validated again.
    const keptFile = siteCachePath(".", "check-findings", siteDir);
    const factsFile = siteCachePath(".", "check-pages", siteDir);
    if (existsSync(cacheDir("."))) for (const kind of ["check-findings", "check-pages"]) removeStale(cacheDir("."), kind);
    // The records are read through the parses the last build saved, as a rebuild reads them, and any others on every core.
    const parses = new ParseCache();
    parses.restore(cacheDir("."), parserFingerprint("."));
    await parses.prime(values.articles!);
    result = await runCheck({ siteDir, articlesDir: values.articles!, siteUrl, external: values.external, keptFile, factsFile, full: values.full, parses, ledgerFile: values.ledger });
  } catch (error) {
    if (!(error instanceof ContentError)) throw error;
    console.error(`expected valid records to check the site against, found:\n${error.message}`);
    return 2;
  }
  if (values.json) console.log(JSON.stringify(result, null, 2));
  else console.log(formatReport(result, { externalList: values["external-list"], ms: performance.now() - started }));
  return result.problems.length === 0 ? 0 : 1;
}

process.exitCode = await main();
