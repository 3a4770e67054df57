import { Worker } from "node:worker_threads";

/**
 * Run a module on a worker thread, `data` its workerData, and answer with
 * the one message it posts. A worker thread does not inherit this thread's
 * TypeScript loader: it registers tsx itself, then loads the module.
 */
export function inThread<T>(module: URL, data: unknown): Promise<T> {
  const boot = `(async () => { (await import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})).register(); await import(${JSON.stringify(module.href)}); })();`;
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: data });
    worker.once("message", (answer: T) => resolvePromise(answer));
    worker.once("error", reject);
    worker.once("exit", (code) => code !== 0 && reject(new Error(`the worker thread of ${module.pathname} ended with exit status ${code}`)));
  });
}
