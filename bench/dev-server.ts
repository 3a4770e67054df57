import { readFileSync, rmSync } from "node:fs";
import { parseExport } from "../src/parse.js";
import { articleUrl } from "../src/urls.js";
import { startDevServer } from "../tests/helpers.js";

/**
 * The dev server as an editor meets it: `npm start` over the archive, the
 * time until it serves the home page, then one article file dropped in and
 * the time until the home page links its page and the page is served.
 */

export interface DevServerFigures {
  /** Seconds from the start until the home page is served. */
  start: number;
  /** Seconds from the new file until the home page links its page and the page is served. */
  added: number;
}

const POLL_MS = 100;
const LIMIT_MS = 30 * 60_000;

async function waitFor(what: string, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < LIMIT_MS) {
    if (await check().catch(() => false)) return (performance.now() - started) / 1000;
    await new Promise((resolvePromise) => setTimeout(resolvePromise, POLL_MS));
  }
  throw new Error(`the dev server: gave up waiting for ${what}`);
}

/** `project`'s dev server over `articles`; `add` drops the new article file `extraFile` into them. */
export async function measureDevServer(project: string, articles: string, extraFile: string, add: () => void, scratch: string): Promise<DevServerFigures> {
  const record = parseExport(readFileSync(extraFile, "utf8")).record!;
  const url = articleUrl(record);
  const server = await startDevServer(articles, scratch, project);
  const { origin } = server;
  const ok = async (path: string) => (await fetch(origin + path)).ok;
  try {
    const start = await waitFor("the home page", () => ok("/"));
    add();
    const added = await waitFor("the new article", async () => (await (await fetch(`${origin}/`)).text()).includes(`href="${url}"`) && (await ok(url)));
    return { start, added };
  } finally {
    await server.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}
