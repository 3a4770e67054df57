import { BuildError } from "../build-error.js";
import { ContentError } from "../diagnostics.js";
import { garbageCollector, readRun, writePages, type WorkerReply, type WorkerRun } from "../runs.js";

/** A render worker of the build: writes each run it is sent (see spoolRuns), and answers for each. */
async function work({ projectDir, out, runFile }: WorkerRun): Promise<WorkerReply> {
  try {
    return { written: await writePages(projectDir, out, readRun(runFile)) };
  } catch (error) {
    if (error instanceof BuildError || error instanceof ContentError) return { error: error.message, exitCode: error.exitCode };
    return { error: `expected the render worker to write its pages, found ${(error as Error).stack ?? error}`, exitCode: 2 };
  }
}

const collectGarbage = garbageCollector();
// Runs arrive while one is being written: they are written one after another, in the order sent.
let queue = Promise.resolve();
process.on("message", (run: WorkerRun) => {
  queue = queue.then(async () => {
    collectGarbage();
    const reply = await work(run);
    if (process.connected) process.send!(reply);
  });
});
// The build disconnects once it has answers for every run it sent, or once it ended (killed, or stopped by a signal): its pages are then of no use.
process.once("disconnect", () => process.exit(0));
