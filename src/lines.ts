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

/** A file written one JSON value a line, a block at a time, for values made one by one and not held: see writeLines. */
export class LineWriter {
  readonly #fd: number;
  // Bytes, not a list of strings: a line is garbage the moment it is copied, before a collection could move it to the
  // old space, where a large heap keeps it until a full collection.
  readonly #block = Buffer.allocUnsafe(WRITE_BLOCK_BYTES);
  #used = 0;

  /** A new file at `path`, or after what it holds (`flags` "a"). */
  constructor(path: string, flags: "w" | "a" = "w") {
    this.#fd = openSync(path, flags);
  }

  write(value: unknown): void {
    const line = `${JSON.stringify(value)}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.#used + bytes > this.#block.length) this.#flush();
    if (bytes > this.#block.length) writeAll(this.#fd, Buffer.from(line));
    else this.#used += this.#block.write(line, this.#used);
  }

  /** Write what is left and close the file. */
  close(): void {
    try {
      this.#flush();
    } finally {
      closeSync(this.#fd);
    }
  }

  #flush(): void {
    writeAll(this.#fd, this.#block.subarray(0, this.#used));
    this.#used = 0;
  }
}

function writeAll(fd: number, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

/** Write `values` to a new file at `path` (or after what it holds, `flags` "a"), one JSON value a line, a block at a time. */
export function writeLines(path: string, values: Iterable<unknown>, flags: "w" | "a" = "w"): void {
  const writer = new LineWriter(path, flags);
  try {
    for (const value of values) writer.write(value);
  } finally {
    writer.close();
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
