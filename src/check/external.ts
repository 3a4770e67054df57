import type { Problem } from "./problem.js";

const CONCURRENCY = 8;
const TIMEOUT_MS = 15_000;

/** The HTTP status of a URL, or why there is none: HEAD first, GET where a server refuses HEAD. */
async function probe(url: string): Promise<number | string> {
  try {
    const head = await fetch(url, { method: "HEAD", redirect: "follow", signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (head.status !== 405 && head.status !== 501) return head.status;
    const get = await fetch(url, { redirect: "follow", signal: AbortSignal.timeout(TIMEOUT_MS) });
    await get.body?.cancel();
    return get.status;
  } catch (error) {
    const cause = (error as Error & { cause?: Error }).cause;
    return (cause ?? (error as Error)).message;
  }
}

/** Fetch every external URL once (only with --external); each failure is reported on every page that links to it. */
export async function checkExternal(external: Map<string, Set<string>>): Promise<Problem[]> {
  const urls = [...external.keys()];
  const problems: Problem[] = [];
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const url = urls[next++];
      const result = await probe(url);
      if (typeof result === "number" && result < 400) continue;
      const found = typeof result === "number" ? `HTTP ${result}` : result;
      for (const page of external.get(url)!) problems.push({ page, rule: "external-link", message: `expected ${url} to answer, found ${found}` });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, urls.length) }, worker));
  return problems;
}
