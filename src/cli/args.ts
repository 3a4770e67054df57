import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Let a reader that stops reading (`npm run build | head -1`) end the
 * output, not the command: what is left to print is dropped, and the
 * command finishes its work and exits with its own status.
 */
export function dropOutputOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
}

/** Report a usage error with the usage text; its exit status. */
export function usageError(message: string, usage: string): 2 {
  console.error(`${message}\n${usage}`);
  return 2;
}

/**
 * Parse a command line strictly. Returns the parsed values, or the exit
 * status to stop with: 0 after printing the usage for `--help`, 2 after a
 * usage error.
 */
export function parseCommandLine<const O extends Options>(options: O, usage: string, allowPositionals = false) {
  let parsed;
  try {
    parsed = parseArgs({ options: { ...options, help: { type: "boolean" } }, allowPositionals, strict: true });
  } catch (error) {
    return usageError((error as Error).message, usage);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(usage);
    return 0;
  }
  return parsed;
}
