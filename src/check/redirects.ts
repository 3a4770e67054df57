import type { Archive, Redirect } from "../archive.js";
import { PATHS } from "../urls.js";
import { findTarget, resolveLink } from "./links.js";
import type { Problem } from "./problem.js";
import type { BuiltSite } from "./site.js";

/** The `_redirects` line of a published URL no article has now: 301 to the article's page, 410 for a removed article. */
function redirectsLine(redirect: Redirect): string {
  return redirect.to ? `${redirect.url} ${redirect.to.url} 301` : `${redirect.url} ${redirect.url} 410`;
}

/**
 * The URL ledger's promise: every URL the archive published serves a page,
 * its article's own, a redirect that reaches the article's page in one hop,
 * or a removed article's notice, neither of which search engines index; and
 * `_redirects` tells hosts the same.
 */
export function checkRedirects(site: BuiltSite, archive: Archive, siteUrl: string): Problem[] {
  const problems: Problem[] = [];
  const report = (page: string, message: string) => problems.push({ page, rule: "ledger", message });
  const live = new Set(archive.articles.map((article) => article.url));
  const redirects = new Map(archive.redirects.map((redirect) => [redirect.url, redirect]));
  for (const [url, id] of archive.ledger) {
    const page = findTarget(site, url);
    if (!page?.facts) {
      report(url, `expected a page at ${url}, which the archive published for article ${id}, found no file`);
      continue;
    }
    const redirect = redirects.get(url);
    // The article's own page, which the content rules check.
    if (!redirect) continue;
    if (!page.facts.noindex) report(url, `expected a published URL that no article has now to be kept out of search engines (noindex), found an indexable page`);
    const raw = page.facts.refresh;
    if (!redirect.to) {
      if (raw !== null) report(url, `expected the notice that article ${id} was removed, found a redirect to ${raw}`);
      continue;
    }
    const to = raw === null ? undefined : resolveLink(raw, url, siteUrl);
    if (to?.kind !== "internal") report(url, `expected <meta http-equiv="refresh"> to ${redirect.to.url}, the page of article ${id}, found ${raw === null ? "none" : JSON.stringify(raw)}`);
    else if (to.path !== redirect.to.url) report(url, `expected a redirect to ${redirect.to.url}, the page of article ${id}, found one to ${to.path}`);
    else {
      const target = findTarget(site, to.path);
      if (!target?.facts || target.facts.refresh !== null || !live.has(target.url)) {
        report(url, `expected the redirect to reach a live article page in one hop, found ${to.path} ${target?.facts?.refresh != null ? "redirecting again" : "missing"}`);
      }
    }
  }
  const file = site.byPath.get(PATHS.redirects);
  if (!file) return [...problems, { page: PATHS.redirects, rule: "missing-page", message: `expected the site to have ${PATHS.redirects}, found no file` }];
  const found = new Set(file.source.split("\n").map((line) => line.trim().replace(/\s+/g, " ")).filter((line) => line && !line.startsWith("#")));
  const expected = new Set(archive.redirects.map(redirectsLine));
  for (const line of expected) if (!found.has(line)) report(PATHS.redirects, `expected the line ${JSON.stringify(line)}, found none`);
  for (const line of found) if (!expected.has(line)) report(PATHS.redirects, `expected only lines for published URLs no article has now, found ${JSON.stringify(line)}`);
  return problems;
}
