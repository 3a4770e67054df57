import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { formatDiagnostic } from "../diagnostics.js";
import { ARTICLES_DIR, loadRecordFiles } from "../load.js";
import { dropOutputOnClosedPipe, parseCommandLine, usageError } from "./args.js";

const USAGE = `usage: npm run records -- --out DIR [--articles DIR]
  --out DIR        where to write one .md record per article (created if missing)
  --articles DIR   the article files (default ${ARTICLES_DIR})
exit status: 0 written, 1 bad article files (nothing written), 2 usage error`;

function main(): number {
  dropOutputOnClosedPipe();
  const parsed = parseCommandLine({ out: { type: "string" }, articles: { type: "string", default: ARTICLES_DIR } }, USAGE);
  if (typeof parsed === "number") return parsed;
  const { out, articles } = parsed.values;
  if (!out) return usageError("expected --out DIR, found no --out", USAGE);
  if (!statSync(articles, { throwIfNoEntry: false })?.isDirectory()) return usageError(`expected an articles folder, found no folder ${articles}`, USAGE);
  // Records written among the article files would be read back as second copies of every article.
  if (resolve(out) === resolve(articles)) return usageError(`expected --out to be another folder than the articles, found ${out} for both`, USAGE);
  const { files, problems } = loadRecordFiles(articles);
  if (problems.length > 0) {
    console.error(problems.map(formatDiagnostic).join("\n"));
    return 1;
  }
  mkdirSync(out, { recursive: true });
  for (const file of files) writeFileSync(join(out, file.name), file.text);
  console.log(`Wrote ${files.length} records into ${out}`);
  return 0;
}

process.exitCode = main();
