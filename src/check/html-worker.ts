import { parentPort, workerData } from "node:worker_threads";
import { createValidator, validateSource, type Finding } from "./html.js";

// A worker thread of the check: validates its share of the pages and answers with their findings, in order.
const validator = createValidator();
const findings: Finding[][] = [];
for (const { source, file } of workerData as { source: string; file: string }[]) findings.push(await validateSource(validator, source, file));
parentPort!.postMessage(findings);
