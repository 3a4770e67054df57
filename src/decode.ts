import { codePoint, NOT_TEXT, splitLines } from "./text.js";

/**
 * Exports must be UTF-8 text. Anything else is refused with the line where it
 * stops being so, rather than decoded into mojibake.
 */
export type Decoded = { text: string } | { line: number; message: string };

function decoder(): TextDecoder {
  return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
}

/** The 1-based line of a byte offset, counting CRLF, CR and LF line ends as the parser does. */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) line++;
  }
  return line;
}

/**
 * The offset of the byte at which the text stops being UTF-8. A prefix that
 * only ends inside a sequence still streams fine, so being invalid is
 * monotone in the prefix length and a binary search finds the first bad one.
 */
function firstInvalidByte(bytes: Uint8Array): number {
  let valid = 0;
  let invalid = bytes.length + 1;
  while (invalid - valid > 1) {
    const mid = (valid + invalid) >> 1;
    try {
      decoder().decode(bytes.subarray(0, mid), { stream: true });
      valid = mid;
    } catch {
      invalid = mid;
    }
  }
  // The sequence went wrong at its lead byte, which may stand before the byte that broke it.
  let at = Math.min(invalid, bytes.length) - 1;
  while (at > 0 && bytes[at] < 0x80) at--;
  return at;
}


export function decodeText(bytes: Uint8Array): Decoded {
  // No encoding an export could be in has NUL bytes, and images, PDFs and
  // office files have them early: call the file binary, not mis-encoded.
  const nul = bytes.indexOf(0);
  if (nul >= 0) return { line: lineAt(bytes, nul), message: "expected text, found binary data (a NUL byte: an image, a document or UTF-16 text?)" };
  let text: string;
  try {
    text = decoder().decode(bytes);
  } catch {
    const at = firstInvalidByte(bytes);
    const hex = bytes[at].toString(16).toUpperCase().padStart(2, "0");
    return { line: lineAt(bytes, at), message: `expected UTF-8 text, found byte 0x${hex} that is not UTF-8 (Latin-1 or another encoding?); save the file as UTF-8` };
  }
  const control = NOT_TEXT.exec(text);
  if (control) {
    const line = splitLines(text.slice(0, control.index)).length;
    return { line, message: `expected text, found binary data (control character ${codePoint(control[0])})` };
  }
  return { text };
}
