import { parentPort, workerData } from "node:worker_threads";
import { parseInThread } from "./load.js";

// A parse thread of a first load: parses its share of the article files (ParseCache.prime).
parseInThread(workerData, (parses) => parentPort!.postMessage(parses));
