import Eleventy from "@11ty/eleventy";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { cacheDir } from "../plan.js";
import { parseCommandLine, usageError } from "./args.js";

const DEV_SITE = join(cacheDir("."), "dev-site");
const USAGE = `usage: npm start [-- --port N] [--out DIR]
  --port N   the port to serve on (default 8080)
  --out DIR  the scratch folder the dev server writes (default ${DEV_SITE}); emptied first, never _site
ARCHIVE_ARTICLES_DIR=DIR serves another folder of articles. One Ctrl-C, or one kill of the process, stops it.`;

/**
 * The dev server, in this one process: npm starts it with `exec`, so the
 * signal npm forwards, or a terminal's Ctrl-C, reaches the process that
 * serves, and no server is left behind a shell that died.
 */
async function main(): Promise<number | undefined> {
  const parsed = parseCommandLine({ port: { type: "string", default: "8080" }, out: { type: "string", default: DEV_SITE } }, USAGE);
  if (typeof parsed === "number") return parsed;
  const port = Number(parsed.values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return usageError(`expected --port to be a port number, found ${parsed.values.port}`, USAGE);
  // A deleted article's page must not outlive a restart.
  rmSync(parsed.values.out, { recursive: true, force: true });
  const eleventy = new Eleventy("content", parsed.values.out, { configPath: ".eleventy.ts", runMode: "serve", source: "cli" });
  await eleventy.init();
  await eleventy.watch();
  await eleventy.serve(port);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await eleventy.stopWatch();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  process.on("SIGHUP", stop);
  return undefined;
}

const status = await main();
if (status !== undefined) process.exitCode = status;
