/** A problem with one input file, reported as `file:line: message`. */
export interface Diagnostic {
  file: string;
  line: number;
  message: string;
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
}

/** Quote found text for a message, shortened so one bad line stays one line. */
export function quote(text: string, max = 60): string {
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(shown);
}
