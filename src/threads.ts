import { Worker, type ResourceLimits } from "node:worker_threads";

/**
 * Run a module on a worker thread, `data` its workerData, handing `visit`
 * each message it posts; settles when the thread ends. A worker thread does
 * not inherit this thread's TypeScript loader: it registers tsx itself,
 * then loads the module. `limits` bound its heap (an error when it needs more).
 */
export function fromThread<T>(module: URL, data: unknown, visit: (message: T) => void, limits?: ResourceLimits): Promise<void> {
  const boot = `(async () => { (await import(${JSON.stringify(import.meta.resolve("tsx/esm/api"))})).register(); await import(${JSON.stringify(module.href)}); })();`;
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(boot, { eval: true, workerData: data, resourceLimits: limits });
    worker.on("message", visit);
    worker.once("error", reject);
    worker.once("exit", (code) => (code === 0 ? resolvePromise() : reject(new Error(`the worker thread of ${module.pathname} ended with exit status ${code}`))));
  });
}

/** Run a module on a worker thread (see fromThread) and answer with the one message it posts. */
export async function inThread<T>(module: URL, data: unknown): Promise<T> {
  const answers: T[] = [];
  await fromThread<T>(module, data, (answer) => answers.push(answer));
  if (answers.length !== 1) throw new Error(`expected one answer from the worker thread of ${module.pathname}, found ${answers.length}`);
  return answers[0];
}
