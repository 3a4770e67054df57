import { ContentError } from "./diagnostics.js";

/** A failed build, with the exit status it calls for: 1 for bad content, 2 for bad configuration. */
export class BuildError extends Error {
  constructor(message: string, readonly exitCode: 1 | 2) {
    super(message);
    this.name = "BuildError";
  }
}

/** An error and the errors under it: Eleventy wraps the error of a template in `originalError`. */
export function* causes(error: unknown): Generator<Error> {
  for (let e = error; e instanceof Error; e = e.cause ?? (e as { originalError?: unknown }).originalError) yield e;
}

export function findCause(error: unknown): ContentError | undefined {
  for (const e of causes(error)) if (e instanceof ContentError) return e;
  return undefined;
}

// What the file system says when the machine, not the site, is at fault.
const ENVIRONMENT: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  EIO: "input/output error",
  EMFILE: "too many open files",
  ENAMETOOLONG: "file name too long",
};

/** An error of the machine (a full disk, a folder not writable) anywhere under `error`, as a build error naming where. */
export function environmentError(error: unknown, where: string): BuildError | undefined {
  for (const e of causes(error)) {
    const { code, path } = e as NodeJS.ErrnoException;
    if (code && ENVIRONMENT[code]) return new BuildError(`${path ?? where}: ${ENVIRONMENT[code]} (${code}) while writing the site; the previous site is unchanged`, 2);
  }
  return undefined;
}

/** An error's message with those of its causes, which name the template and line. */
export function describeError(error: unknown): string {
  const messages = [...new Set([...causes(error)].map((e) => e.message.trim()))];
  return messages.join("\n  ") || String(error);
}

