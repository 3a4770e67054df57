import { closeSync, openSync, readSync, writeSync } from "node:fs";

/*
 * Files of one JSON value a line, for data too large to be one string:
 * V8's longest string is shorter than a million articles' saved parses,
 * and a string of a run's pages would sit in memory until a full
 * collection, which a large heap seldom makes.
 */

const READ_BLOCK_BYTES = 16 << 20;

/**
 * Each line of a file, read a block at a time. Stops when `visit` answers
 * false; throws at a last line without its newline.
 */
export function eachLine(fd: number, visit: (line: string) => boolean, blockBytes = READ_BLOCK_BYTES): void {
  const block = Buffer.alloc(blockBytes);
  let carried = Buffer.alloc(0);
  for (let position = 0; ; ) {
    const read = readSync(fd, block, 0, block.length, position);
    if (read === 0) break;
    position += read;
    const bytes = carried.length > 0 ? Buffer.concat([carried, block.subarray(0, read)]) : block.subarray(0, read);
    let start = 0;
    for (let end = bytes.indexOf(0x0a); end >= 0; start = end + 1, end = bytes.indexOf(0x0a, start)) {
      if (!visit(bytes.toString("utf8", start, end))) return;
    }
    carried = Buffer.from(bytes.subarray(start));
  }
  if (carried.length > 0) throw new Error("a line cut short");
}

// Lines, and the parse cache's bodies, are written out in blocks of about this many bytes: a write for each would cost
// a large archive minutes on a slow disk.
export const WRITE_BLOCK_BYTES = 1 << 20;

/** Write `values` to a new file at `path` (or after what it holds, `flags` "a"), one JSON value a line, a block at a time. */
export function writeLines(path: string, values: Iterable<unknown>, flags: "w" | "a" = "w"): void {
  const fd = openSync(path, flags);
  try {
    let block: string[] = [];
    let length = 0;
    for (const value of values) {
      const line = `${JSON.stringify(value)}\n`;
      block.push(line);
      length += line.length;
      if (length >= WRITE_BLOCK_BYTES) {
        writeSync(fd, block.join(""));
        block = [];
        length = 0;
      }
    }
    writeSync(fd, block.join(""));
  } finally {
    closeSync(fd);
  }
}

/** The values of a file `writeLines` wrote, in order. */
export function readLines(path: string, visit: (value: unknown) => void): void {
  const fd = openSync(path, "r");
  try {
    eachLine(fd, (line) => {
      visit(JSON.parse(line));
      return true;
    }, 1 << 20);
  } finally {
    closeSync(fd);
  }
}
