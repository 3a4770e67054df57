import { loadArchive } from "../archive.js";
import { BuildError } from "../build-error.js";
import { ContentError } from "../diagnostics.js";
import { ParseCache } from "../load.js";
import { selectionOf, writeRunsHere, type WorkerReply, type WorkerTask } from "../runs.js";

/** A render worker of the build: loads the archive from the build's saved parses and writes the runs it is given. */
async function work(task: WorkerTask): Promise<WorkerReply> {
  try {
    const cache = new ParseCache();
    cache.restore(task.parsesDir, task.code);
    const archive = loadArchive(task.articlesDir, { cache, now: task.now, ledgerFile: task.ledgerFile });
    return { written: await writeRunsHere(task.projectDir, task.out, archive, task.runs.map((spec) => selectionOf(archive, spec))) };
  } catch (error) {
    if (error instanceof BuildError || error instanceof ContentError) return { error: error.message, exitCode: error.exitCode };
    return { error: `expected the render worker to write its pages, found ${(error as Error).stack ?? error}`, exitCode: 2 };
  }
}

// The build that started this worker ended (killed, or stopped by a signal): its pages are of no use.
process.once("disconnect", () => process.exit(1));
process.once("message", async (task: WorkerTask) => {
  const reply = await work(task);
  process.send!(reply, () => process.exit(0));
});
