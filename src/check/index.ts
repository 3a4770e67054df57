import { resolve } from "node:path";
import { loadArchive } from "../archive.js";
import type { ParseCache } from "../load.js";
import { compareText } from "../text.js";
import { checkContent } from "./content.js";
import { checkExternal } from "./external.js";
import { PageFactsStore } from "./facts.js";
import { validatePages } from "./html.js";
import { checkLinks } from "./links.js";
import { checkRedirects } from "./redirects.js";
import { checkSearchIndex } from "./search.js";
import { checkXml } from "./xml.js";
import type { Problem } from "./problem.js";
import { readSite, takeFacts } from "./site.js";

export type { Problem } from "./problem.js";

const MAX_VALIDATED_CHARS = 1_000_000;

export interface CheckOptions {
  siteDir: string;
  articlesDir: string;
  /** The site's absolute base URL, without a trailing slash: links under it are internal. */
  siteUrl: string;
  /** Fetch external links too. */
  external?: boolean;
  /** Where html-validate's findings are kept by page content between checks. */
  keptFile?: string;
  /** Where the facts the other rules read from each page are kept between checks. */
  factsFile?: string;
  /** Parse and validate every page anew, ignoring what was kept. */
  full?: boolean;
  /** Parses of the records to start from. */
  parses?: ParseCache;
  /** The URL ledger the site was built with (default: beside the articles folder). */
  ledgerFile?: string;
}

export interface CheckSummary {
  /** HTML pages checked. */
  pages: number;
  files: number;
  articles: number;
  internalLinks: number;
  /** Pages too large for HTML validation, which only the other rules checked. */
  notValidated: string[];
  /** Distinct external URLs found. */
  externalLinks: number;
  externalChecked: boolean;
  problems: number;
  pagesWithProblems: number;
  /** Problems by rule. */
  rules: Record<string, number>;
}

export interface CheckResult {
  /** Sorted by page, then rule. */
  problems: Problem[];
  external: { url: string; pages: string[] }[];
  summary: CheckSummary;
}

function byPageThenRule(a: Problem, b: Problem): number {
  return compareText(a.page, b.page) || compareText(a.rule, b.rule);
}

/** One problem for the same fault found twice on a page (two links to one missing file), with the count. */
function collapseRepeats(problems: Problem[]): Problem[] {
  const counts = new Map<string, { problem: Problem; count: number }>();
  for (const problem of problems) {
    const key = JSON.stringify([problem.page, problem.rule, problem.message]);
    const seen = counts.get(key);
    if (seen) seen.count++;
    else counts.set(key, { problem, count: 1 });
  }
  return [...counts.values()].map(({ problem, count }) => (count > 1 ? { ...problem, message: `${problem.message} (${count} times)` } : problem));
}

/**
 * Check a built site against the records it was built from: links, HTML
 * validity and the archive's content rules. Throws ContentError when the
 * records themselves are bad.
 */
export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const archive = loadArchive(options.articlesDir, { cache: options.parses, ledgerFile: options.ledgerFile });
  const facts = new PageFactsStore(options.factsFile, archive, !options.full);
  const site = readSite(resolve(options.siteDir));
  const pages = site.files.filter((f) => f.kind === "html");
  // html-validate's time grows faster than a page's size (11 s at 8 MB): a huge page is left to the other rules, and said so.
  const [validated, tooLarge] = [pages.filter((p) => p.source.length <= MAX_VALIDATED_CHARS), pages.filter((p) => p.source.length > MAX_VALIDATED_CHARS)];
  // Validation runs on worker threads while this one takes the pages' facts and checks links and content.
  const validation = validatePages(validated, options.keptFile, !options.full);
  takeFacts(site, facts);
  facts.save();
  const links = checkLinks(site, options.siteUrl);
  // Joined as lists, not pushed as arguments: a broken template gives a problem on every page, more than a call takes.
  let problems = [...links.problems, ...checkContent(site, archive, links.linksFrom, facts), ...checkRedirects(site, archive, options.siteUrl), ...checkSearchIndex(site, archive), ...checkXml(site), ...(await validation)];
  if (options.external) problems = [...problems, ...(await checkExternal(links.external))];
  // The sort is stable: problems of one page and rule keep the order they were found in.
  problems = collapseRepeats(problems).sort(byPageThenRule);
  const rules: Record<string, number> = {};
  for (const p of problems) rules[p.rule] = (rules[p.rule] ?? 0) + 1;
  return {
    problems,
    external: [...links.external].sort(([a], [b]) => compareText(a, b)).map(([url, from]) => ({ url, pages: [...from].sort() })),
    summary: {
      pages: pages.length,
      files: site.files.length,
      articles: archive.articles.length,
      internalLinks: links.internal,
      notValidated: tooLarge.map((p) => p.url),
      externalLinks: links.external.size,
      externalChecked: Boolean(options.external),
      problems: problems.length,
      pagesWithProblems: new Set(problems.map((p) => p.page)).size,
      rules,
    },
  };
}
