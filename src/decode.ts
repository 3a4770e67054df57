/**
 * Exports must be UTF-8 text. Anything else is refused with the line where it
 * stops being so, rather than decoded into mojibake.
 */
export type Decoded = { text: string } | { line: number; message: string };

const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

// C0 controls other than tab, line feed, form feed and carriage return do not occur in text.
const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/;

export function decodeText(bytes: Uint8Array): Decoded {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    // Find the first byte sequence that is not UTF-8, to name its line.
    let start = 0;
    for (let end = 0; end <= bytes.length; end++) {
      if (end < bytes.length && bytes[end] !== 0x0a) continue;
      try {
        strictUtf8.decode(bytes.subarray(start, end));
      } catch {
        const bad = bytes.subarray(start, end).findIndex((b) => b >= 0x80);
        const hex = bytes[start + Math.max(bad, 0)].toString(16).toUpperCase().padStart(2, "0");
        return { line: lineAt(bytes, start), message: `expected UTF-8 text, found byte 0x${hex} that is not UTF-8 (Latin-1 or another encoding?); save the file as UTF-8` };
      }
      start = end + 1;
    }
    return { line: 1, message: "expected UTF-8 text, found an incomplete UTF-8 sequence at the end of the file" };
  }
  const control = CONTROL.exec(text);
  if (control) {
    const line = text.slice(0, control.index).split("\n").length;
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    return { line, message: `expected text, found binary data (control character U+${code})` };
  }
  return { text };
}
