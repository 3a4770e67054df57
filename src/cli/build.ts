import { buildSite } from "../build.js";
import { BuildError } from "../build-error.js";
import { PAGES_PER_RUN } from "../runs.js";
import { relative } from "node:path";
import { LEDGER_FILE } from "../ledger.js";
import { ARTICLES_DIR } from "../load.js";
import { dropOutputOnClosedPipe, parseCommandLine, usageError } from "./args.js";

const USAGE = `usage: npm run build [-- --out DIR] [--articles DIR] [--full] [--no-search] [--pages-per-run N]
  --out DIR        where the site goes (default _site): an empty folder or one an earlier build stamped;
                   replaced only when the whole build succeeded
  --articles DIR   the article files (default ${ARTICLES_DIR})
  --ledger FILE    the URL ledger to read and bring up to date (default: ${LEDGER_FILE} beside the articles folder)
  --full           write every page, not only those whose inputs changed since the last build
  --no-search      leave out the search index (for timing the site on its own)
  --pages-per-run N  pages Eleventy writes per run (default ${PAGES_PER_RUN}); fewer use less memory
  --workers N      processes writing pages at once (default: one per core from 5,000 pages to write, else one)
  --preview        read the URL ledger and leave it as it is (the dev server's builds: nothing is published)
exit status: 0 built, 1 bad article files, 2 usage, configuration or environment error`;

async function main(): Promise<number> {
  dropOutputOnClosedPipe();
  const parsed = parseCommandLine(
    {
      out: { type: "string", default: "_site" },
      articles: { type: "string" },
      ledger: { type: "string" },
      full: { type: "boolean" },
      "no-search": { type: "boolean" },
      "pages-per-run": { type: "string", default: String(PAGES_PER_RUN) },
      workers: { type: "string" },
      preview: { type: "boolean" },
    },
    USAGE,
  );
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  const pagesPerRun = Number(values["pages-per-run"]);
  if (!Number.isInteger(pagesPerRun) || pagesPerRun < 1) return usageError(`expected --pages-per-run to be a whole number of at least 1, found ${values["pages-per-run"]}`, USAGE);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1)) return usageError(`expected --workers to be a whole number of at least 1, found ${values.workers}`, USAGE);
  try {
    const result = await buildSite({ out: values.out, articlesDir: values.articles, ledgerFile: values.ledger, full: values.full, search: !values["no-search"], pagesPerRun, workers, preview: values.preview });
    const unchanged = result.pages - result.written;
    console.log(
      `Built ${result.pages} pages of ${result.articles} articles into ${values.out} in ${(result.ms / 1000).toFixed(2)} s` +
        (unchanged > 0 ? ` (${result.written} written, ${unchanged} unchanged)` : ""),
    );
    if (result.photos > 0) console.log(`Photos: ${result.photosMade} made, ${result.photos - result.photosMade} already made`);
    if (result.moved + result.removed > 0) {
      console.log(`Published URLs no article has now: ${result.moved} redirect to their article's new URL, ${result.removed} say their article was removed (listed in _redirects)`);
    }
    if (result.ledgerChanged) console.log(`New article URLs recorded in ${relative(process.cwd(), result.ledgerFile)}: commit it with the articles`);
    return 0;
  } catch (error) {
    if (error instanceof BuildError) {
      console.error(error.message);
      return error.exitCode;
    }
    throw error;
  }
}

process.exitCode = await main();
