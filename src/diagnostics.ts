/** A problem with one input file, reported as `file:line: message`. */
export interface Diagnostic {
  file: string;
  line: number;
  message: string;
  /** The machine's fault, not the file's (a file this user may not read): exit status 2. */
  environment?: boolean;
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}: ${d.message}`;
}

/** Thrown when one or more input files are bad; carries every problem found. */
export class ContentError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join("\n"));
    this.name = "ContentError";
    this.diagnostics = diagnostics;
  }

  /** 1 for bad content, 2 when any problem is the environment's. */
  get exitCode(): 1 | 2 {
    return this.diagnostics.some((d) => d.environment) ? 2 : 1;
  }
}

/** Quote found text for a message, shortened so one bad line stays one line. */
export function quote(text: string, max = 60): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(shown);
}
