import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { imageSize } from "image-size";
import type { ISizeCalculationResult } from "image-size/dist/types/interface.js";
import { ContentError, type Diagnostic } from "./diagnostics.js";
import { linkOrCopy } from "./output.js";
import { compareText } from "./text.js";

/**
 * Article photos. A picture beside an export with the same stem (or named
 * by a record's `image:`) is its article's photo. Every size and format a
 * page names is worked out here from the picture's dimensions alone, so
 * that pages are laid out without the picture being decoded; the files are
 * made by @11ty/eleventy-img (sharp) once per picture content, kept in the
 * build cache, and linked into each site that shows them.
 */

export const PHOTO_EXTENSIONS = [".jpg", ".jpeg", ".png", ".webp"];
/** Widths of the responsive renditions; a smaller picture tops out at its own width. */
export const PHOTO_WIDTHS = [320, 640, 960, 1280];
const FORMATS = [
  { format: "avif", type: "image/avif" },
  { format: "webp", type: "image/webp" },
  { format: "jpeg", type: "image/jpeg" },
] as const;
export const MIN_PHOTO_WIDTH = 320;
// A camera's 50-megapixel original is what an editor may drop in; past that it is a mistake, and decoding it would take the build's memory.
export const MAX_PHOTO_PIXELS = 60_000_000;
export const MAX_PHOTO_BYTES = 40 * 1024 * 1024;
/** The crops Google asks of NewsArticle images (16:9, 4:3, 1:1), 1200 px wide; the 16:9 one is the social card. */
export const PHOTO_CROPS = [
  { ratio: "16x9", width: 1200, height: 675 },
  { ratio: "4x3", width: 1200, height: 900 },
  { ratio: "1x1", width: 1200, height: 1200 },
] as const;
// Encoder settings: part of every photo's identity, so that changing them makes every photo anew.
const ENCODING = { avif: { quality: 55, effort: 1 }, webp: { quality: 75 }, jpeg: { quality: 78, mozjpeg: true } };
const ENCODING_KEY = createHash("sha256").update(JSON.stringify({ PHOTO_WIDTHS, FORMATS, PHOTO_CROPS, ENCODING })).digest("hex").slice(0, 8);

/** A picture file as read at load time: what pages need of it, without decoding it. */
export interface PictureFile {
  /** Content hash: the name of its folder in the site. */
  hash: string;
  /** As displayed, after EXIF orientation. */
  width: number;
  height: number;
}

/** An article's photo as the site model holds it. */
export interface Photo extends PictureFile {
  /** The folder of its renditions: `/img/<hash>/`. */
  url: string;
  alt: string;
  /** Its file, absolute, for the step that makes the renditions; shown on no page. */
  path: string;
  /** Its file as messages name it. */
  file: string;
}

export interface Rendition {
  url: string;
  width: number;
  height: number;
}

export interface PhotoSources {
  /** AVIF, then WebP, then JPEG: the browser takes the first it can show. */
  sources: { type: string; srcset: string }[];
  /** The JPEG an `<img>` falls back to, its dimensions those the page reserves. */
  fallback: Rendition;
}

/** Read a picture's header; a problem when it is no picture a page can show. */
export function readPicture(bytes: Uint8Array): PictureFile | { problem: string } {
  if (bytes.length > MAX_PHOTO_BYTES) return { problem: `expected a picture of at most ${MAX_PHOTO_BYTES / 1024 / 1024} MB, found ${(bytes.length / 1024 / 1024).toFixed(1)} MB` };
  let size: ISizeCalculationResult;
  try {
    size = imageSize(bytes);
  } catch {
    return { problem: "expected a JPEG, PNG or WebP picture, found a file that is none" };
  }
  if (!size.type || !["jpg", "png", "webp"].includes(size.type) || !size.width || !size.height) {
    return { problem: `expected a JPEG, PNG or WebP picture, found ${size.type ? `a ${size.type.toUpperCase()} file` : "a file that is none"}` };
  }
  // EXIF orientations 5 to 8 turn the picture a quarter: sharp shows it turned.
  const turned = (size.orientation ?? 1) >= 5;
  const width = turned ? size.height : size.width;
  const height = turned ? size.width : size.height;
  if (width < MIN_PHOTO_WIDTH) return { problem: `expected a picture at least ${MIN_PHOTO_WIDTH} px wide, found one ${width} px wide` };
  if (width * height > MAX_PHOTO_PIXELS) return { problem: `expected a picture of at most ${MAX_PHOTO_PIXELS / 1e6} megapixels, found ${width} × ${height}` };
  return { hash: `${createHash("sha256").update(bytes).digest("hex").slice(0, 16)}${ENCODING_KEY}`, width, height };
}

export function photoUrl(hash: string): string {
  return `/img/${hash}/`;
}

/** The widths of a photo's renditions, as @11ty/eleventy-img makes them: none wider than the picture. */
function widthsOf(photo: PictureFile): number[] {
  const widths = PHOTO_WIDTHS.filter((w) => w < photo.width);
  return widths.length < PHOTO_WIDTHS.length ? [...widths, photo.width] : widths;
}

function rendition(photo: Photo, width: number, format: string): Rendition {
  // @11ty/eleventy-img's rounding, which its output is checked against.
  return { url: `${photo.url}${width}.${format}`, width, height: Math.floor((width * photo.height) / photo.width) };
}

/** Every rendition of a photo, by format. */
function renditions(photo: Photo): { format: string; type: string; files: Rendition[] }[] {
  return FORMATS.map(({ format, type }) => ({ format, type, files: widthsOf(photo).map((width) => rendition(photo, width, format)) }));
}

/** What a `<picture>` of the photo lists. */
export function photoSources(photo: Photo): PhotoSources {
  const all = renditions(photo);
  const jpegs = all.at(-1)!.files;
  return {
    sources: all.map(({ type, files }) => ({ type, srcset: files.map((f) => `${f.url} ${f.width}w`).join(", ") })),
    fallback: jpegs.find((f) => f.width >= 960) ?? jpegs.at(-1)!,
  };
}

/** The photo cut to each of PHOTO_CROPS, for structured data and social cards. */
export function photoCrops(photo: Photo): (Rendition & { ratio: string })[] {
  return PHOTO_CROPS.map(({ ratio, width, height }) => ({ ratio, url: `${photo.url}${ratio}.jpeg`, width, height }));
}

/** Link every file of a photo's folder in the cache into the site, or copy it where no link can be made; a plain Eleventy run's folder has most already. */
function linkInto(kept: string, target: string): void {
  mkdirSync(target, { recursive: true });
  for (const name of readdirSync(kept)) {
    if (name === COMPLETE || existsSync(join(target, name))) continue;
    linkOrCopy(join(kept, name), join(target, name));
  }
}

// The mark a photo's folder in the cache gets once every file of it is written; its time is when a build last used it.
const COMPLETE = ".complete";
// Photos no build has used for this long leave the cache: trials and tests leave many behind.
const UNUSED_LIFETIME_MS = 30 * 24 * 3600 * 1000;

function removeUnused(cacheDir: string): void {
  const now = Date.now();
  for (const name of existsSync(cacheDir) ? readdirSync(cacheDir) : []) {
    const mark = statSync(join(cacheDir, name, COMPLETE), { throwIfNoEntry: false });
    if (mark && now - mark.mtimeMs > UNUSED_LIFETIME_MS) rmSync(join(cacheDir, name), { recursive: true, force: true });
  }
}

async function makePhoto(photo: Photo, dir: string): Promise<void> {
  const { default: Image } = await import("@11ty/eleventy-img");
  const { default: sharp } = await import("sharp");
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const made = (await Image(photo.path, {
    widths: PHOTO_WIDTHS,
    // A picture between two widths gets one of its own width (see widthsOf), however close to the last.
    minimumThreshold: 1,
    formats: FORMATS.map((f) => f.format),
    outputDir: partial,
    urlPath: photo.url,
    filenameFormat: (_id: string, _src: string, width: number, format: string) => `${width}.${format}`,
    sharpAvifOptions: ENCODING.avif,
    sharpWebpOptions: ENCODING.webp,
    sharpJpegOptions: ENCODING.jpeg,
    useCache: false,
  })) as Record<string, { url: string; width: number; height: number }[]>;
  // The pages were laid out from the picture's header: the files must be what they name.
  for (const { format, files } of renditions(photo)) {
    const got = (made[format] ?? []).map(({ url, width, height }) => ({ url, width, height }));
    if (JSON.stringify(got) !== JSON.stringify(files)) throw new Error(`${photo.file}: the ${format} renditions came out as ${JSON.stringify(got)}, not ${JSON.stringify(files)}`);
  }
  for (const crop of photoCrops(photo)) {
    await sharp(photo.path).rotate().resize(crop.width, crop.height, { fit: "cover", position: "centre" }).jpeg(ENCODING.jpeg).toFile(join(partial, `${crop.ratio}.jpeg`));
  }
  writeFileSync(join(partial, COMPLETE), "");
  // Another build may have made the same photo meanwhile: either copy will do.
  if (existsSync(join(dir, COMPLETE))) rmSync(partial, { recursive: true, force: true });
  else {
    rmSync(dir, { recursive: true, force: true });
    renameSync(partial, dir);
  }
}

/**
 * Write the renditions of `photos` (one per picture content, as the site
 * model lists them) into the site folder `out`, each made
 * once per picture content in `cacheDir` and linked from there. Every
 * picture that cannot be decoded is reported at once, by its file.
 */
export async function writePhotos(photos: Photo[], cacheDir: string, out: string): Promise<number> {
  const problems: Diagnostic[] = [];
  let made = 0;
  const queue = [...photos];
  const next = async (): Promise<void> => {
    for (let photo = queue.shift(); photo; photo = queue.shift()) {
      const kept = join(cacheDir, photo.hash);
      if (!existsSync(join(kept, COMPLETE))) {
        try {
          await makePhoto(photo, kept);
          made++;
        } catch (error) {
          // A fault of the machine (a full disk) is no fault of the picture.
          if ((error as NodeJS.ErrnoException).syscall) throw error;
          problems.push({ file: photo.file, line: 1, message: `expected a picture that decodes, found an error: ${(error as Error).message.split("\n")[0]}` });
          continue;
        }
      } else {
        const now = new Date();
        utimesSync(join(kept, COMPLETE), now, now);
      }
      linkInto(kept, join(out, photo.url));
    }
  };
  // Encoding one photo keeps a core or two busy: a photo per core keeps them all so.
  await Promise.all(Array.from({ length: availableParallelism() }, next));
  problems.sort((a, b) => compareText(a.file, b.file));
  if (problems.length > 0) throw new ContentError(problems);
  removeUnused(cacheDir);
  return made;
}
