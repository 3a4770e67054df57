import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { PagefindIndex } from "pagefind";
import { compareText } from "./text.js";
import { SEARCH_INDEX_URL } from "./urls.js";

/** A page to index: its URL and the file holding its HTML. */
export interface IndexedPage {
  url: string;
  file: string;
}

// Pages handed to Pagefind at a time: its service reads them concurrently.
const BATCH = 64;

async function withIndex<T>(use: (index: PagefindIndex) => Promise<T>): Promise<T> {
  // Loaded when a build indexes, not by every build that starts.
  const pagefind = await import("pagefind");
  const { index, errors } = await pagefind.createIndex({});
  try {
    if (!index) throw new Error(`search index: ${errors.join("; ")}`);
    return await use(index);
  } finally {
    await pagefind.close();
  }
}

function failOn(response: { errors: string[] }): void {
  if (response.errors.length) throw new Error(`search index: ${response.errors.join("; ")}`);
}

/**
 * Write the index with Node's file system rather than Pagefind's
 * `writeFiles`: Pagefind's service panics on a full disk and its promise
 * never settles, where a write here fails with ENOSPC like any other.
 */
async function writeIndex(index: PagefindIndex, siteDir: string): Promise<void> {
  const { files, errors } = await index.getFiles();
  failOn({ errors });
  const dir = join(siteDir, SEARCH_INDEX_URL);
  for (const file of files) {
    const path = join(dir, file.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, file.content);
  }
}

/**
 * Index the given pages with Pagefind's Node API (no global install, no
 * network) and write the index into `siteDir`. The build passes its article
 * pages, from wherever each one is; they are indexed in URL order, so a full
 * and an incremental build give the same index.
 */
export async function indexPages(pages: IndexedPage[], siteDir: string): Promise<void> {
  const inOrder = [...pages].sort((a, b) => compareText(a.url, b.url));
  await withIndex(async (index) => {
    for (let start = 0; start < inOrder.length; start += BATCH) {
      const batch = inOrder.slice(start, start + BATCH);
      for (const added of await Promise.all(batch.map((page) => index.addHTMLFile({ url: page.url, content: readFileSync(page.file, "utf8") })))) failOn(added);
    }
    await writeIndex(index, siteDir);
  });
}

/**
 * Index every page of a built site, for the dev server. Only article pages
 * mark their text with `data-pagefind-body`, so navigation and list pages
 * stay out of the index.
 */
export async function indexSite(siteDir: string): Promise<{ pages: number }> {
  return withIndex(async (index) => {
    const added = await index.addDirectory({ path: siteDir });
    failOn(added);
    await writeIndex(index, siteDir);
    return { pages: added.page_count };
  });
}
