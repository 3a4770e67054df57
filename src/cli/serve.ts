import EleventyDevServer from "@11ty/eleventy-dev-server";
import { watch } from "chokidar";
import { fork, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { ARTICLES_DIR } from "../load.js";
import { cacheDir } from "../plan.js";
import { readStamp } from "../stamp.js";
import { parseCommandLine, usageError } from "./args.js";

const DEV_SITE = join(cacheDir("."), "dev-site");
const USAGE = `usage: npm start [-- --port N] [--out DIR]
  --port N   the port to serve on (default 8080)
  --out DIR  the scratch folder the dev server builds into (default ${DEV_SITE}); emptied first unless a build made it
ARCHIVE_ARTICLES_DIR=DIR serves another folder of articles. One Ctrl-C, or one kill of the process, stops it.`;

const BUILD = new URL("./build.ts", import.meta.url);
// What a rebuild follows: the articles, page templates, layouts and the code (each build is a new process, so it runs the code as it is now).
const WATCHED = ["content", "templates", "src"];
// A save often comes as several events (a new file, then its content): one build after the last of them.
const SETTLE_MS = 100;

/**
 * The dev server: the build's own incremental build into a scratch folder,
 * served with live reload, and run again whenever a file it reads changes.
 * A change then costs what `npm run build` costs after it, not the whole
 * archive, and the page served is the page built. A build that fails
 * (a bad article) leaves the last good site served, and says why.
 */
async function main(): Promise<number | undefined> {
  const parsed = parseCommandLine({ port: { type: "string", default: "8080" }, out: { type: "string", default: DEV_SITE } }, USAGE);
  if (typeof parsed === "number") return parsed;
  const { out } = parsed.values;
  const port = Number(parsed.values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return usageError(`expected --port to be a port number, found ${parsed.values.port}`, USAGE);
  const articles = process.env.ARCHIVE_ARTICLES_DIR ?? ARTICLES_DIR;
  // The last dev site, when a build made it, stays: a restart then writes only what changed while the server was down.
  // Anything else there (an older dev server wrote its folder without a build's stamp) is scratch.
  if (!readStamp(out)) rmSync(out, { recursive: true, force: true });

  const server = EleventyDevServer.getServer("news-archive", out, {});
  server.serve(port);
  let building: ChildProcess | null = null;
  let again = false;
  let stopping = false;
  const build = () => {
    if (building) {
      again = true;
      return;
    }
    again = false;
    // A preview: the ledger of published URLs is read, never written (a headline being typed is not published).
    const child = fork(BUILD, ["--out", out, "--articles", articles, "--preview"], { execArgv: ["--import", "tsx"], stdio: "inherit" });
    building = child;
    child.on("exit", (code) => {
      building = null;
      if (stopping) return;
      if (code === 0) server.reload();
      if (again) build();
    });
  };
  let settling: NodeJS.Timeout | undefined;
  const watcher = watch([...WATCHED, articles], { ignoreInitial: true });
  watcher.on("all", () => {
    clearTimeout(settling);
    settling = setTimeout(build, SETTLE_MS);
  });
  build();

  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    clearTimeout(settling);
    // A build under way stops as the build does on a signal: its staging removed, the scratch site left as it was.
    const current = building as ChildProcess | null;
    if (current) {
      const ended = new Promise((resolvePromise) => current.on("exit", resolvePromise));
      current.kill(signal);
      await ended;
    }
    await Promise.all([watcher.close(), server.close()]);
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  process.on("SIGHUP", stop);
  return undefined;
}

const status = await main();
if (status !== undefined) process.exitCode = status;
