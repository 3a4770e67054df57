import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/**
 * A deterministic synthetic archive for the benchmark: N raw exports in the
 * seeds' format (for the project's build) and the same articles as plain
 * front-mattered Markdown (for the bare Eleventy baseline), plus one extra,
 * newest article for the incremental case.
 */

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const WORK_DIR = join(BENCH_DIR, "work");

/** Bumped whenever the output changes in a way the source hash would not show (none so far). */
const FORMAT = 1;
const SEED = 20240521;
const FIRST_YEAR = 2015;
const YEARS = 10;

const SECTIONS = ["Harbin Today", "Biz updates", "Culture", "Tourism", "Education", "Sports"];
const SOURCES = ["e.my399.com", "China Daily", "Xinhua", "chinadaily.com.cn", "Harbin Daily"];
const NBSP = "\u00a0";

// The seeds' body vocabulary, lower-cased and split by role so that generated
// sentences read roughly like the real ones.
const NOUNS = `academy agreement alliance approval area authorities bank base bridgehead business cabinet capacity capital cargo
center century chain childcare circle city collaboration commerce commission commodity company conglomerate construction
cooperation council country culture customs data decision development direction distribution economy education enterprise
environment equipment establishment exchange expo farm finance freight friendship fund government group growth hectare
history hub import income index industry information initiative innovation institution insurance internet investment
investor land legislation level logistics manufacturing material mechanism media member model platform policy port
processing product project province railway rate recovery reform region report representative research rice road scale
science sector service settlement shipment software springboard station status system technology tourism trade
transformation transportation travel university value volume warehouse zone`.split(/\s+/);
const PLURALS = `banks businesses centers cities colleges companies countries crops cows enterprises fields funds hubs
industries institutions investors members parks peoples products projects provinces results sectors services stations
trusts universities warehouses`.split(/\s+/);
const ADJECTIVES = `advanced agricultural annual bilateral central collaborative commercial comprehensive cross-border cultural
digital economic educational emerging financial foreign geographical green high-quality high-tech industrial innovative
international joint local major modern national national-level new northernmost overseas primary regional scientific
technological urban whole`.split(/\s+/);
const VERBS = `expanded promoted introduced established improved launched approved signed extended cultivated optimized
attracted integrated supported deepened upgraded consolidated implemented issued boosted reached`.split(/\s+/);
const PRESENT = `expands promotes introduces builds improves launches deepens upgrades attracts boosts strives pursues
ramps reaches opens grows`.split(/\s+/);
const PLACES = [
  "Harbin",
  "the Harbin Area",
  "Heilongjiang province",
  "Northeast China",
  "the Harbin New Zone",
  "the Pilot Free Trade Zone",
  "Central Russia",
  "Northeast Asia",
  "the Far East",
];
const SUBJECTS = ["Harbin", "The city", "The area", "Local officials", "The government", "The Harbin Area", "The State Council", "The group", "The company", "Harbin Bank"];
const ATTRIBUTIONS = ["local officials said", "local media reported", "according to the group", "data from customs showed", "officials said"];
const CONNECTORS = ["Meanwhile,", "In addition,", "So far,", "At present,", "In recent years,", "Since then,", "Last year,", "Over the period,"];
const CAPTION_SUBJECTS = ["Business representatives", "Visitors", "Workers", "Students", "Residents", "Tourists", "Officials"];
const CAPTION_ACTIONS = ["access services at", "gather at", "visit", "work at", "take part in an event at", "tour"];
const CREDITS = ["CHINA DAILY", "XINHUA", "PROVIDED TO CHINA DAILY"];

/** mulberry32: a tiny fixed-seed PRNG, so the archive is the same on every machine. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

export interface SyntheticArticle {
  section: string;
  date: string;
  headline: string;
  source: string;
  caption: string | null;
  paragraphs: string[];
  teaser: { headline: string; summary: string } | null;
  /** The raw export, bytes as the city site's exporter would write them. */
  raw: string;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function figure(r: Random): string {
  switch (r.int(0, 3)) {
    case 0:
      return `${r.int(1, 99)}.${r.int(1, 99)} percent`;
    case 1:
      return `${r.int(1, 900)}.${r.int(1, 99)} billion yuan ($${r.int(1, 99)}.${r.int(1, 9)} billion)`;
    case 2:
      return `${r.int(1, 99)},${String(r.int(0, 999)).padStart(3, "0")} hectares`;
    default:
      return `${r.int(2, 500)} ${r.pick(PLURALS)}`;
  }
}

function nounPhrase(r: Random): string {
  const noun = r.chance(0.4) ? r.pick(PLURALS) : r.pick(NOUNS);
  return r.chance(0.6) ? `${r.pick(ADJECTIVES)} ${noun}` : noun;
}

/** One sentence ending with a full stop and no full stop inside it followed by a capital. */
function sentence(r: Random): string {
  const subject = r.pick(SUBJECTS);
  const parts = [r.chance(0.25) ? `${r.pick(CONNECTORS)} ${subject.replace(/^The /, "the ")}` : subject];
  parts.push(`has ${r.pick(VERBS)} its ${nounPhrase(r)} and ${nounPhrase(r)}`);
  if (r.chance(0.5)) parts.push(`with ${r.pick(PLACES)}`);
  if (r.chance(0.4)) parts.push(`reaching ${figure(r)}`);
  if (r.chance(0.3)) parts.push(`– a ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)} of “${r.pick(ADJECTIVES)} ${r.pick(NOUNS)}” –`);
  parts.push(`in the ${r.pick(NOUNS)} of ${r.pick(PLACES)}’s ${nounPhrase(r)}`);
  if (r.chance(0.4)) parts.push(`, ${r.pick(ATTRIBUTIONS)}`);
  const words = parts.join(" ").replace(/ ,/g, ",").split(" ");
  // Some exports carry no-break spaces after words, as the seeds do.
  return `${words.map((w, i) => (i < words.length - 1 && r.chance(0.03) ? `${w}${NBSP}` : w)).join(" ")}.`;
}

function paragraph(r: Random): string {
  const sentences = Array.from({ length: r.int(1, 3) }, () => sentence(r));
  return sentences.join(" ") + (r.chance(0.05) ? `${NBSP} ` : "");
}

function headline(r: Random): string {
  const subject = r.chance(0.6) ? "Harbin" : capitalise(r.pick(PLACES).replace(/^the /, ""));
  const tail = r.chance(0.5) ? ` in ${r.pick(PLACES)}` : r.chance(0.3) ? ` ${r.int(2, 99)} percent` : "";
  return `${subject} ${r.pick(PRESENT)} ${r.pick(ADJECTIVES)} ${r.pick(NOUNS)}${tail}`;
}

/** Headlines that differ here differ in every slug scheme: the letters and digits are what slugs keep. */
function headlineKey(date: string, text: string): string {
  return `${date}:${text.toLowerCase().replace(/[^a-z0-9]/g, "")}`;
}

function rawExport(a: Omit<SyntheticArticle, "raw">, r: Random): string {
  // Blank-line separated, single-newline separated, or a mix, as the seeds are.
  const style = r.int(0, 2);
  const separator = () => (style === 0 ? "\n\n" : style === 1 ? "\n" : r.chance(0.5) ? "\n\n" : "\n");
  let body = a.caption ? `${a.caption}\n` : "";
  a.paragraphs.forEach((p, i) => {
    body += (i > 0 ? separator() : "") + p;
  });
  if (a.teaser) body += `${r.chance(0.3) ? "\n\n\n" : "\n\n"}${a.teaser.headline}\n\n${a.teaser.summary}`;
  const end = r.chance(0.2) ? "\n" : "";
  return `Home>${a.section}\n\n${a.headline}\n\nUpdated : ${a.date}\n\nBy ( ${a.source} )\n\n${body}${end}`;
}

function isoDate(day: number): string {
  return new Date(Date.UTC(FIRST_YEAR, 0, 1 + day)).toISOString().slice(0, 10);
}

const DAYS = Math.round((Date.UTC(FIRST_YEAR + YEARS, 0, 1) - Date.UTC(FIRST_YEAR, 0, 1)) / 86_400_000);

/**
 * N articles over ten years, then one more dated the archive's last day:
 * the article the incremental case adds. Made one at a time: a million
 * articles would not fit in memory at once.
 */
export function* generateArticles(n: number): Generator<SyntheticArticle> {
  const r = new Random(SEED);
  const used = new Set<string>();
  const headlines: string[] = [];
  for (let i = 0; i <= n; i++) {
    const date = i < n ? isoDate(r.int(0, DAYS - 1)) : isoDate(DAYS - 1);
    let text = headline(r);
    while (used.has(headlineKey(date, text))) text = `${headline(r)} ${r.int(2, 999)}`;
    used.add(headlineKey(date, text));
    const caption = r.chance(0.2)
      ? `${r.pick(CAPTION_SUBJECTS)} ${r.pick(CAPTION_ACTIONS)} ${r.pick(PLACES)}’s ${r.pick(NOUNS)} center. ${r.pick(CREDITS)}`
      : null;
    // Teasers point to earlier headlines, as the real ones point to other articles.
    const teaser =
      headlines.length && r.chance(0.3)
        ? { headline: r.pick(headlines), summary: sentence(r) }
        : null;
    const paragraphs = Array.from({ length: r.int(3, 20) }, () => paragraph(r));
    const fields = { section: i < n ? r.pick(SECTIONS) : SECTIONS[0], date, headline: text, source: r.pick(SOURCES), caption, paragraphs, teaser };
    headlines.push(text);
    yield { ...fields, raw: rawExport(fields, r) };
  }
}

/** The same article as a typical Eleventy or Hugo user would keep it (Hugo lists years by the `year` field). */
export function markdownFile(a: SyntheticArticle): string {
  const lines = ["---", `title: ${JSON.stringify(a.headline)}`, `date: ${a.date}`, `section: ${JSON.stringify(a.section)}`, `year: "${a.date.slice(0, 4)}"`, "---", ""];
  if (a.caption) lines.push(`*${a.caption}*`, "");
  for (const p of a.paragraphs) lines.push(p.trim(), "");
  if (a.teaser) lines.push(`**${a.teaser.headline}**: ${a.teaser.summary}`, "");
  return lines.join("\n");
}

export interface ArchivePaths {
  /** Raw exports, for the project's build. */
  raw: string;
  /** Markdown files, for the baseline and Hugo. */
  markdown: string;
  /** The extra article's raw export and its name. */
  extraRaw: string;
  extraName: string;
}

function fileName(index: number, a: SyntheticArticle): string {
  return `${String(index).padStart(6, "0")}_${createHash("sha1").update(a.raw).digest("hex").slice(0, 16)}`;
}

/**
 * Write the archive of N articles under bench/work/archives/, or reuse the one
 * there when this generator and N are unchanged.
 */
export function ensureArchive(n: number, log: (message: string) => void = () => {}): ArchivePaths {
  const dir = join(WORK_DIR, "archives", `n${n}`);
  const paths = { raw: join(dir, "raw"), markdown: join(dir, "md"), extraRaw: join(dir, "extra", "raw") };
  const stamp = createHash("sha256")
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .update(`${FORMAT}:${SEED}:${n}`)
    .digest("hex");
  const stampFile = join(dir, "stamp");
  if (!existsSync(stampFile) || readFileSync(stampFile, "utf8") !== stamp) {
    log(`generating ${n} articles into ${dir}`);
    // Written aside and swapped in whole, so nobody reading the archive sees half of one.
    const temp = `${dir}.partial-${process.pid}`;
    const at = (path: string) => join(temp, relative(dir, path));
    for (const path of Object.values(paths)) mkdirSync(at(path), { recursive: true });
    let i = 0;
    for (const a of generateArticles(n)) {
      const name = fileName(i, a);
      writeFileSync(join(at(i < n ? paths.raw : paths.extraRaw), `${name}.txt`), a.raw);
      if (i < n) writeFileSync(join(at(paths.markdown), `${name}.md`), markdownFile(a));
      else writeFileSync(join(temp, "extra", "name"), `${name}.txt`);
      i++;
    }
    writeFileSync(join(temp, "stamp"), stamp);
    rmSync(dir, { recursive: true, force: true });
    renameSync(temp, dir);
  }
  return { ...paths, extraName: readFileSync(join(dir, "extra", "name"), "utf8") };
}

/** One article in this many has a photo in the photo bench. */
export const PHOTO_SHARE = 10;

/** A picture of its own for an article: a deterministic pattern, 1200 × 800, as a camera's JPEG. */
async function syntheticPhoto(index: number): Promise<Buffer> {
  const { default: sharp } = await import("sharp");
  const [width, height] = [1200, 800];
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set([(x + index * 37) % 256, (y + index * 11) % 256, ((x >> 3) ^ (y >> 3) ^ index) % 256], (y * width + x) * 3);
  }
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 82 }).toBuffer();
}

/**
 * A photo for every PHOTO_SHARE-th article of the archive of N and for the
 * extra one, each beside its export's name, under the archive's folder;
 * made once.
 */
export async function ensurePhotos(n: number, archive: ArchivePaths, log: (message: string) => void = () => {}): Promise<{ photos: string; extraPhoto: string; count: number }> {
  const dir = join(WORK_DIR, "archives", `n${n}`, "photos");
  const names = readdirSync(archive.raw).sort().filter((_, i) => i % PHOTO_SHARE === 0);
  const extraPhoto = join(dir, "extra", archive.extraName.replace(/\.txt$/, ".jpg"));
  if (!existsSync(extraPhoto)) {
    log(`making ${names.length + 1} photos into ${dir}`);
    mkdirSync(join(dir, "all"), { recursive: true });
    mkdirSync(join(dir, "extra"), { recursive: true });
    for (const [i, name] of names.entries()) writeFileSync(join(dir, "all", name.replace(/\.txt$/, ".jpg")), await syntheticPhoto(i));
    writeFileSync(extraPhoto, await syntheticPhoto(names.length));
  }
  return { photos: join(dir, "all"), extraPhoto, count: names.length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { n: { type: "string", default: "1000" } } });
  const paths = ensureArchive(Number(values.n), console.log);
  console.log(paths);
}
