import type { CheckResult } from "./index.js";

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** The report for a person: problems grouped under their page, then one summary line. */
export function formatReport(result: CheckResult, options: { externalList?: boolean; ms?: number } = {}): string {
  const lines: string[] = [];
  const width = Math.max(0, ...result.problems.map((p) => p.rule.length));
  let page: string | null = null;
  for (const p of result.problems) {
    if (p.page !== page) {
      if (page !== null) lines.push("");
      lines.push((page = p.page));
    }
    lines.push(`  ${p.rule.padEnd(width)}  ${p.message}`);
  }
  if (options.externalList) {
    if (lines.length) lines.push("");
    lines.push(`External links (${result.external.length}, ${result.summary.externalChecked ? "fetched" : "not fetched"}):`);
    for (const { url, pages } of result.external) lines.push(`  ${url}  <- ${pages.join(", ")}`);
  }
  const s = result.summary;
  if (s.notValidated.length) {
    if (lines.length) lines.push("");
    lines.push(`⚠ ${plural(s.notValidated.length, "page")} too large for HTML validation, checked by the other rules only: ${s.notValidated.join(", ")}`);
  }
  const checked = `${plural(s.pages, "page")}, ${plural(s.files, "file")}, ${plural(s.articles, "article")}, ${plural(s.internalLinks, "internal link")}, ${plural(s.externalLinks, "external link")} (${s.externalChecked ? "fetched" : "not fetched"})`;
  const time = options.ms === undefined ? "" : ` in ${(options.ms / 1000).toFixed(2)} s`;
  if (lines.length) lines.push("");
  lines.push(
    s.problems === 0
      ? `✔ no problems: ${checked}${time}`
      : `✖ ${plural(s.problems, "problem")} on ${plural(s.pagesWithProblems, "page")} (${Object.entries(s.rules).map(([rule, n]) => `${rule}: ${n}`).join(", ")}); checked ${checked}${time}`,
  );
  return lines.join("\n");
}
