import { buildSite, BuildError } from "../build.js";
import { ARTICLES_DIR } from "../load.js";
import { parseCommandLine } from "./args.js";

const USAGE = `usage: npm run build [-- --out DIR] [--articles DIR] [--full] [--no-search]
  --out DIR        where the site goes (default _site); replaced only when the whole build succeeded
  --articles DIR   the article files (default ${ARTICLES_DIR})
  --full           write every page, not only those whose inputs changed since the last build
  --no-search      leave out the search index (for timing the site on its own)
exit status: 0 built, 1 bad article files, 2 usage or configuration error`;

async function main(): Promise<number> {
  const parsed = parseCommandLine(
    { out: { type: "string", default: "_site" }, articles: { type: "string" }, full: { type: "boolean" }, "no-search": { type: "boolean" } },
    USAGE,
  );
  if (typeof parsed === "number") return parsed;
  const { values } = parsed;
  try {
    const result = await buildSite({ out: values.out, articlesDir: values.articles, full: values.full, search: !values["no-search"] });
    const unchanged = result.pages - result.written;
    console.log(
      `Built ${result.pages} pages of ${result.articles} articles into ${values.out} in ${(result.ms / 1000).toFixed(2)} s` +
        (unchanged > 0 ? ` (${result.written} written, ${unchanged} unchanged)` : ""),
    );
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
