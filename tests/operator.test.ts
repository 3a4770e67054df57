import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { currentOwner } from "../src/owner.js";
import { STAMP_FILE } from "../src/stamp.js";
import { articlesWith, buildSite, can, fileHashes, freshClone, isRoot, leftovers, literal, PROJECT, rawExport, readPage, runCli, sh, tempDir } from "./helpers.js";

/**
 * The operator's mistakes and the machine's faults: what is dropped into
 * the articles folder, where the site is written, what the machine does
 * while it is written.
 */

const NOBODY = 65534;

/** Run a command as the unprivileged user nobody, as a second account on a shared machine would. */
function asNobody(args: string[], cwd: string) {
  // Its own temporary folder: tsx keeps a cache there, and /tmp need not be writable by all.
  const tmp = tempDir("nobody-");
  chmodSync(tmp, 0o777);
  return spawnSync("setpriv", [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", ...args], { cwd, encoding: "utf8", env: { ...process.env, HOME: tmp, TMPDIR: tmp } });
}

describe("content is never code", () => {
  it("runs no template dropped among the articles, and names every file that is not an article", () => {
    const repo = freshClone();
    const proof = join(tempDir("rce-"), "ran");
    const payload = `require("node:fs").writeFileSync(${JSON.stringify(proof)}, "x")`;
    const dropped: Record<string, string> = {
      "notes.njk": `---\npermalink: /pwned.html\n---\n{{ range.constructor("return process")().getBuiltinModule("fs").writeFileSync(${JSON.stringify(proof)}, "x") }}\n`,
      "page.11ty.js": `${payload};\nmodule.exports = { data: { permalink: "/pwned-js.html" }, render: () => "x" };\n`,
      "page.11ty.ts": `${payload};\nexport default { data: { permalink: "/pwned-ts.html" }, render: () => "x" };\n`,
      "articles.11tydata.js": `${payload};\nmodule.exports = { permalink: "/pwned-data.html" };\n`,
      "page.html": "---\npermalink: /pwned-html.html\n---\n<script>alert(1)</script>\n",
      "page.liquid": "---\npermalink: /pwned-liquid.html\n---\n{{ 7 | times: 7 }}\n",
    };
    for (const [name, text] of Object.entries(dropped)) writeFileSync(join(repo, "content/articles", name), text);
    const build = sh(repo, "npm run build");
    expect(existsSync(proof)).toBe(false);
    expect(existsSync(join(repo, "_site"))).toBe(false);
    expect(build.status).toBe(1);
    for (const name of Object.keys(dropped)) expect(build.stderr).toMatch(new RegExp(`^content/articles/${literal(name)}:1: expected an article file \\(a \\.txt export or a \\.md record\\)`, "m"));
    // With the files gone, the archive builds, and nothing they asked for is published.
    for (const name of Object.keys(dropped)) rmSync(join(repo, "content/articles", name));
    expect(sh(repo, "npm run build").status).toBe(0);
    expect(readdirSync(join(repo, "_site")).filter((name) => name.startsWith("pwned"))).toEqual([]);
  });

  it("refuses a SITE_URL with credentials, writing them nowhere", () => {
    const run = buildSite(articlesWith(), { SITE_URL: "https://user:secret@news.example.com" });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^SITE_URL: expected a URL without a user name or password/);
    expect(run.stderr).not.toContain("secret");
    expect(existsSync(run.out)).toBe(false);
  });

  it("refuses a SITE_URL with a path, which root-relative links would break", () => {
    const run = buildSite(articlesWith(), { SITE_URL: "https://example.org/news" });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^SITE_URL: expected the site's origin, without a path/);
    // The check refuses it too, for a site this tool did not stamp.
    const unstamped = buildSite(articlesWith()).out;
    rmSync(join(unstamped, STAMP_FILE));
    const check = runCli("check.ts", [unstamped], { SITE_URL: "https://example.org/news" });
    expect(check.status).toBe(2);
    expect(check.stderr).toMatch(/^SITE_URL: expected the site's origin/);
  });
});

describe("the output folder", () => {
  let repo: string;
  beforeAll(() => {
    repo = freshClone();
  });

  it("is never a folder holding files this tool did not build", () => {
    const work = join(tempDir("work-"), "W");
    mkdirSync(work);
    writeFileSync(join(work, "thesis.txt"), "years of work");
    const run = buildSite(articlesWith(), {}, work);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/expected an empty folder or a site this tool built at .*W, found other files \(thesis\.txt/);
    expect(readdirSync(work)).toEqual(["thesis.txt"]);
    expect(leftovers(work)).toEqual([]);
  });

  it("is never a folder of the project", () => {
    const before = fileHashes(join(repo, "src"));
    for (const folder of ["src", "tests", ".git", "node_modules/.bin"]) {
      if (!existsSync(join(repo, folder))) mkdirSync(join(repo, folder), { recursive: true });
      writeFileSync(join(repo, folder, "keep.txt"), "kept");
      const run = sh(repo, `npm run build -- --out ${folder}`);
      expect(run.status, folder).toBe(2);
      expect(readFileSync(join(repo, folder, "keep.txt"), "utf8")).toBe("kept");
      rmSync(join(repo, folder, "keep.txt"));
    }
    expect(fileHashes(join(repo, "src"))).toEqual(before);
  });

  it("is written to when empty, or when an earlier build stamped it", () => {
    const out = join(tempDir("empty-"), "site");
    mkdirSync(out);
    expect(buildSite(articlesWith(), {}, out).status).toBe(0);
    expect(existsSync(join(out, STAMP_FILE))).toBe(true);
    expect(buildSite(articlesWith({ "later.txt": rawExport({ section: "Biz updates", headline: "Later", date: "2024-01-01", paragraphs: ["Later."] }) }), {}, out).status).toBe(0);
    expect(readPage(out, "/")).toContain("Later");
  });

  it("is made with the folders above it when they do not exist yet", () => {
    const out = join(tempDir("nested-"), "dist", "public", "site");
    const run = buildSite(articlesWith(), {}, out);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(existsSync(join(out, STAMP_FILE))).toBe(true);
  });

  it("keeps a symlink to the web server's folder and updates what it points to", () => {
    const parent = tempDir("link-");
    const web = join(parent, "www");
    mkdirSync(web);
    const out = join(parent, "_site");
    symlinkSync(web, out);
    expect(buildSite(articlesWith(), {}, out).status).toBe(0);
    expect(buildSite(articlesWith({ "later.txt": rawExport({ section: "Biz updates", headline: "Later", date: "2024-01-01", paragraphs: ["Later."] }) }), {}, out, ["--full"]).status).toBe(0);
    expect(lstatSync(out).isSymbolicLink()).toBe(true);
    expect(readlinkSync(out)).toBe(web);
    expect(readPage(web, "/")).toContain("Later");
    expect(leftovers(web)).toEqual([]);
  });

  it("is a missing articles folder's error, not an empty archive over a good site", () => {
    expect(sh(repo, "npm run build").status).toBe(0);
    const before = fileHashes(join(repo, "_site"));
    renameSync(join(repo, "content/articles"), join(repo, "content/articles-away"));
    try {
      const run = sh(repo, "npm run build");
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/expected a folder of articles, found no folder at .*content\/articles$/m);
      expect(fileHashes(join(repo, "_site"))).toEqual(before);
    } finally {
      renameSync(join(repo, "content/articles-away"), join(repo, "content/articles"));
    }
    // An archive that is really empty is an empty folder, built on purpose.
    const empty = join(tempDir("none-"), "articles");
    mkdirSync(empty);
    expect(buildSite(empty).status).toBe(0);
  });
});

describe("one build at a time, owned by a process and not by a process id", () => {
  function lockOf(out: string): string {
    return join(dirname(out), `.${basename(out)}.lock`);
  }

  it("takes over a lock whose process id now belongs to another process", () => {
    const out = join(tempDir("reused-"), "_site");
    // This test's own process: alive, but not the build that wrote the lock.
    writeFileSync(lockOf(out), JSON.stringify({ pid: process.pid, started: "another-boot:1" }));
    const run = buildSite(articlesWith(), {}, out);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(leftovers(out)).toEqual([]);
  });

  it("takes over a lock of a build killed and left a zombie", async () => {
    if (!can("read process start times from /proc", () => currentOwner().started !== null)) return;
    // `sleep 0.5` ends after its parent has become `sleep 30`, which never reaps it; one that ended before could be reaped by the shell.
    const parent = spawn("sh", ["-c", "sleep 0.5 & echo $!; exec sleep 30"]);
    try {
      const zombie = Number(await new Promise<string>((done) => parent.stdout.once("data", (d: Buffer) => done(d.toString()))));
      for (let i = 0; i < 100 && !readFileSync(`/proc/${zombie}/stat`, "utf8").includes(") Z "); i++) await new Promise((r) => setTimeout(r, 20));
      expect(readFileSync(`/proc/${zombie}/stat`, "utf8")).toContain(") Z ");
      const stat = readFileSync(`/proc/${zombie}/stat`, "utf8");
      const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
      const out = join(tempDir("zombie-"), "_site");
      writeFileSync(lockOf(out), JSON.stringify({ pid: zombie, started: `${boot}:${stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]}` }));
      const run = buildSite(articlesWith(), {}, out);
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
    } finally {
      parent.kill("SIGKILL");
    }
  });
});

describe("Ctrl-C under npm run build", () => {
  it("leaves the old site or the new one, whole, and nothing beside it", async () => {
    const repo = freshClone();
    for (let i = 0; i < 300; i++) {
      writeFileSync(join(repo, "content/articles", `bulk-${i}.txt`), rawExport({ section: "Bulk", headline: `Bulk article ${i}`, date: `2019-03-${String((i % 28) + 1).padStart(2, "0")}`, paragraphs: [`Paragraph ${i}.`] }));
    }
    // Two versions of one article, and the whole site each gives.
    const version = (v: string) => writeFileSync(join(repo, "content/articles/bulk-0.txt"), rawExport({ section: "Bulk", headline: "Bulk article 0", date: "2019-03-01", paragraphs: [`Version ${v}.`] }));
    const sites = ["A", "B"].map((v) => {
      version(v);
      expect(sh(repo, `npm run build -- --no-search --full --out ../site-${v}`).status).toBe(0);
      return JSON.stringify(fileHashes(join(repo, `../site-${v}`)));
    });
    expect(sh(repo, "npm run build -- --no-search").status).toBe(0);
    for (const [trial, delay] of [600, 1800, 600, 1200, 1800].entries()) {
      version(trial % 2 === 0 ? "A" : "B");
      // A terminal's Ctrl-C reaches npm and the build alike: the foreground process group.
      // Full builds swap the whole site in; incremental ones move their pages in under a journal.
      const build = spawn("npm", ["run", "build", "--", "--no-search", ...(trial < 2 ? ["--full"] : [])], { cwd: repo, detached: true, stdio: "ignore" });
      const ended = new Promise((r) => build.on("exit", r));
      await new Promise((r) => setTimeout(r, delay));
      try {
        process.kill(-build.pid!, "SIGINT");
      } catch {
        // Already done.
      }
      await ended;
      expect(sites, `Ctrl-C after ${delay} ms`).toContain(JSON.stringify(fileHashes(join(repo, "_site"))));
      expect(leftovers(join(repo, "_site"))).toEqual([]);
    }
  }, 300_000);
});

describe("output read by another command", () => {
  it("builds and exits 0 when the reader stops reading at once (npm run build | head)", () => {
    const out = join(tempDir("piped-"), "_site");
    // `true` exits without reading: every line the build prints meets a closed pipe.
    const run = spawnSync("bash", ["-c", `node --import tsx src/cli/build.ts --no-search --out ${out} | true; exit \${PIPESTATUS[0]}`], { cwd: PROJECT, encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(readPage(out, "/")).toContain("<h1");
  });
});

describe("faults of the machine while the site is written", () => {
  it("keeps the whole previous site when a folder of it cannot be changed, and says which", () => {
    const probe = tempDir("chattr-");
    const able = can("make a folder immutable with chattr", () => spawnSync("chattr", ["+i", probe]).status === 0);
    spawnSync("chattr", ["-i", probe]);
    if (!able) return;
    const articles = articlesWith();
    const out = join(tempDir("immutable-"), "_site");
    expect(buildSite(articles, {}, out).status).toBe(0);
    const before = fileHashes(out);
    const year = join(out, "2023");
    expect(spawnSync("chattr", ["+i", year]).status).toBe(0);
    try {
      for (const name of ["000_52ce23d16fbdbab1.txt", "004_648e72c0b8165bae.txt"]) {
        writeFileSync(join(articles, name), readFileSync(join(articles, name), "utf8").replace(/\n\n([^\n]+)\n*$/, "\n\n$1 Edited.\n"));
      }
      const run = buildSite(articles, {}, out);
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(year);
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(fileHashes(out)).toEqual(before);
    } finally {
      spawnSync("chattr", ["-i", year]);
    }
    expect(buildSite(articles, {}, out).status).toBe(0);
    expect(leftovers(out)).toEqual([]);
  });

  it("says 'no space left on device', keeps the previous site and cleans up", () => {
    const disk = tempDir("disk-");
    if (!can("mount a small tmpfs", () => isRoot && spawnSync("mount", ["-t", "tmpfs", "-o", "size=3000k", "tmpfs", disk]).status === 0)) return;
    try {
      const out = join(disk, "_site");
      expect(buildSite(articlesWith(), {}, out).status).toBe(0);
      const before = fileHashes(out);
      const bulk: Record<string, string> = {};
      for (let i = 0; i < 80; i++) bulk[`bulk-${i}.txt`] = rawExport({ section: "Bulk", headline: `Bulk article ${i}`, date: "2019-03-01", paragraphs: ["x".repeat(20_000)] });
      const run = buildSite(articlesWith(bulk), {}, out);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/no space left on device \(ENOSPC\)/);
      expect(run.stderr.split("\n").filter(Boolean)).toHaveLength(1);
      expect(fileHashes(out)).toEqual(before);
      expect(leftovers(out)).toEqual([]);
    } finally {
      spawnSync("umount", [disk]);
    }
  });

  /** A clone that nobody can read, with folders it may write in. */
  function readableClone(): string {
    const repo = freshClone("copied");
    chmodSync(dirname(repo), 0o755);
    return repo;
  }

  it("reports a site another user built, and leaves nothing it cannot remove", () => {
    if (!can("run a build as another user (root with setpriv)", () => isRoot && asNobody(["true"], "/").status === 0)) return;
    const repo = readableClone();
    const parent = tempDir("owned-");
    chmodSync(parent, 0o777);
    const articles = articlesWith();
    chmodSync(dirname(dirname(articles)), 0o755);
    chmodSync(dirname(articles), 0o755);
    const out = join(parent, "_site");
    expect(buildSite(articles, {}, out).status).toBe(0);
    const before = fileHashes(out);
    const run = asNobody([process.execPath, "--import", "tsx", "src/cli/build.ts", "--out", out, "--articles", articles, "--full"], repo);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toMatch(/expected to be able to change .*_site, found .* not writable by this user .*belongs to uid 0/);
    expect(fileHashes(out)).toEqual(before);
    expect(leftovers(out)).toEqual([]);
  });

  it("names an article this user may not read, with every other bad file, exit 2", () => {
    if (!can("run a build as another user (root with setpriv)", () => isRoot && asNobody(["true"], "/").status === 0)) return;
    const repo = readableClone();
    const articles = articlesWith({ "secret.txt": rawExport({ section: "Biz updates", headline: "Secret", date: "2024-01-01", paragraphs: ["x"] }), "bad.txt": "Not an export\n" });
    chmodSync(join(articles, "secret.txt"), 0o600);
    chmodSync(dirname(dirname(articles)), 0o755);
    chmodSync(dirname(articles), 0o755);
    const parent = tempDir("unreadable-");
    chmodSync(parent, 0o777);
    const run = asNobody([process.execPath, "--import", "tsx", "src/cli/build.ts", "--out", join(parent, "_site"), "--articles", articles], repo);
    expect(run.stderr).toMatch(/secret\.txt:1: expected a file this user can read, found permission denied \(EACCES\)/);
    expect(run.stderr).toMatch(/bad\.txt:1: expected a breadcrumb/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.status).toBe(2);
  });

  it("says where it cannot keep the build's manifest before it writes a page, and keeps the site", () => {
    const repo = freshClone("copied");
    const cache = join(repo, "node_modules", ".cache", "news-archive");
    mkdirSync(cache, { recursive: true });
    const out = join(tempDir("uncached-"), "_site");
    const build = () => spawnSync(process.execPath, ["--import", "tsx", "src/cli/build.ts", "--out", out, "--articles", articlesWith(), "--full"], { cwd: repo, encoding: "utf8" });
    expect(build().status).toBe(0);
    const before = fileHashes(out);
    if (!can("make a folder read-only for the build (chattr)", () => spawnSync("chattr", ["+i", cache]).status === 0)) return;
    try {
      const run = build();
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`${literal(cache)}/build-[\\w-]+\\.json\\.new: (permission denied|operation not permitted) .*the previous site is unchanged`));
      expect(run.stderr).not.toMatch(/\n\s+at /);
      expect(fileHashes(out)).toEqual(before);
      expect(leftovers(out)).toEqual([]);
    } finally {
      spawnSync("chattr", ["-i", cache]);
    }
  });

  it("says where it cannot write when the output's folder is read-only", () => {
    const parent = tempDir("readonly-");
    if (!can("make a folder read-only for the build (chattr)", () => spawnSync("chattr", ["+i", parent]).status === 0)) return;
    try {
      const run = buildSite(articlesWith(), {}, join(parent, "_site"));
      expect(run.status).toBe(2);
      expect(run.stderr).toContain(parent);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      spawnSync("chattr", ["-i", parent]);
    }
  });
});

describe("the articles folder, as an editor fills it", () => {
  it("reads subfolders and links within it, and names links out of it and odd names", () => {
    const articles = articlesWith({ "outside.txt": "" });
    rmSync(join(articles, "outside.txt"));
    mkdirSync(join(articles, "2024"));
    writeFileSync(join(articles, "2024", "later.txt"), rawExport({ section: "Biz updates", headline: "Filed in a subfolder", date: "2024-01-01", paragraphs: ["x"] }));
    writeFileSync(join(articles, ".hidden-draft.txt"), "not read");
    const elsewhere = join(tempDir("elsewhere-"), "secret.txt");
    writeFileSync(elsewhere, rawExport({ section: "Biz updates", headline: "From outside", date: "2024-01-02", paragraphs: ["x"] }));
    symlinkSync(elsewhere, join(articles, "outside.txt"));
    symlinkSync(join(articles, "2024", "later.txt"), join(articles, "alias.txt"));
    writeFileSync(join(articles, "odd\nname.txt"), "x");
    const run = buildSite(articles);
    expect(run.status).toBe(1);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toContainEqual(expect.stringMatching(/outside\.txt:1: expected a link to an article file inside the articles folder, found a link to .*secret\.txt$/));
    expect(lines).toContainEqual(expect.stringMatching(/odd\\nname\.txt:1: expected a file name without control characters/));
    // The link inside the folder is read: the same article twice, named by both files.
    expect(lines).toContainEqual(expect.stringMatching(/alias\.txt:\d+: expected a unique article URL, found .* already used by .*2024\/later\.txt/));
    expect(run.stderr).not.toContain("hidden-draft");
  });
});

describe("bad records and exports get a clear file:line", () => {
  const record = (front: string) => `---\nsection: Biz updates\ndate: 2024-01-01\nsource: test\n${front}\n---\nBody.\n`;

  it.each([
    ["a NUL in a headline", record('headline: "a \\u0000 b"'), /bad\.md:5: expected a one-line headline, found the character U\+0000/],
    ["a control character in a section", `---\nsection: "x\\u0001"\ndate: 2024-01-01\nheadline: h\nsource: test\n---\nBody.\n`, /bad\.md:2: expected a one-line section, found the character U\+0001/],
    ["a missing closing fence", "---\nsection: Biz updates\nheadline: h\n", /bad\.md:\d+: expected a line "---" closing the front matter/],
    ["the year 0000", record("headline: h").replace("2024-01-01", "0000-01-01"), /bad\.md:3: expected a calendar date YYYY-MM-DD, found "0000-01-01"/],
  ])("refuses %s", (_, text, message) => {
    const run = buildSite(articlesWith({ "bad.md": text }));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(message);
  });

  it("refuses a date a typo pushed far into the future", () => {
    const run = buildSite(articlesWith({ "typo.txt": rawExport({ section: "Biz updates", headline: "Typo", date: "2203-04-14", paragraphs: ["x"] }) }));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/typo\.txt:\d+: expected a publication date no later than a year from today \(\d{4}-\d{2}-\d{2}\), found 2203-04-14/);
  });

  it("accepts headlines that begin like a header line", () => {
    const articles = articlesWith({
      "a.txt": rawExport({ section: "Biz updates", headline: "Updated 2023 guidelines released", date: "2023-05-01", paragraphs: ["x"] }),
      "b.txt": rawExport({ section: "Biz updates", headline: "By (popular) demand, the night market returns", date: "2023-05-02", paragraphs: ["x"] }),
    });
    const run = buildSite(articles);
    expect(run.status, run.stderr).toBe(0);
    expect(readPage(run.out, "/2023/05/01/updated-2023-guidelines-released/")).toContain("<h1>Updated 2023 guidelines released</h1>");
    expect(readPage(run.out, "/2023/05/02/by-popular-demand-the-night-market-returns/")).toContain("the night market returns</h1>");
  });

  it("caps a very long headline's slug, keeping two such headlines apart", () => {
    const long = "A headline that goes on ".repeat(20);
    const articles = articlesWith({
      "a.txt": rawExport({ section: "Biz updates", headline: `${long}one`, date: "2023-05-01", paragraphs: ["x"] }),
      "b.txt": rawExport({ section: "Biz updates", headline: `${long}two`, date: "2023-05-01", paragraphs: ["x"] }),
    });
    const run = buildSite(articles);
    expect(run.status, run.stderr).toBe(0);
    const slugs = readdirSync(join(run.out, "2023/05/01"), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(slugs).toHaveLength(2);
    for (const slug of slugs) expect(Buffer.byteLength(slug)).toBeLessThanOrEqual(120);
  });

  it("says two file names differ only in Unicode normalisation", () => {
    const text = rawExport({ section: "Biz updates", headline: "Café opens", date: "2023-05-01", paragraphs: ["x"] });
    const run = buildSite(articlesWith({ ["caf\u00e9.txt"]: text, ["cafe\u0301.txt"]: text }));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/expected a unique article URL.*differ only in Unicode normalisation/);
  });
});

describe("the check catches what it claims", () => {
  let site: string;
  beforeAll(() => {
    const run = buildSite(articlesWith());
    expect(run.status, run.stderr).toBe(0);
    site = run.out;
  });

  function copyOf(): string {
    const dir = join(tempDir("xml-"), "_site");
    spawnSync("cp", ["-a", site, dir]);
    return dir;
  }

  it.each([
    ["an unescaped & in the feed", "feed.xml", (xml: string) => xml.replace("<title>", "<title>Fish & chips ")],
    ["a control character in the feed", "feed.xml", (xml: string) => xml.replace("<title>", "<title>\u0001")],
    ["a missing </urlset>", "sitemap.xml", (xml: string) => xml.replace("</urlset>", "")],
  ])("fails on %s", (_, file, change) => {
    const dir = copyOf();
    writeFileSync(join(dir, file), change(readFileSync(join(dir, file), "utf8")));
    const run = runCli("check.ts", [dir, "--json"]);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).problems).toContainEqual(expect.objectContaining({ page: `/${file}`, rule: "xml" }));
  });

  it.each([["a year's pagefind.js", "pagefind/2021/pagefind.js"], ["a year's index", "pagefind/2020"], ["the newest month's index", "pagefind/2023-04"], ["the whole index", "pagefind"]])("fails with %s deleted", (_, path) => {
    const dir = copyOf();
    rmSync(join(dir, path), { recursive: true });
    const run = runCli("check.ts", [dir, "--json"]);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout).problems).toContainEqual(expect.objectContaining({ page: "/search/", rule: "search-index" }));
  });

  it("ends on a site with an 8 MB article, saying which page it did not validate", () => {
    const paragraphs = Array.from({ length: 8000 }, (_, i) => `Paragraph ${i} ${"of a very long article ".repeat(45)}`);
    const articles = articlesWith({ "huge.txt": rawExport({ section: "Biz updates", headline: "A huge article", date: "2023-05-01", paragraphs }) });
    const built = buildSite(articles);
    expect(built.status, built.stderr).toBe(0);
    const run = runCli("check.ts", [built.out, "--articles", articles, "--json"]);
    const report = JSON.parse(run.stdout);
    expect(report.problems).toEqual([]);
    expect(report.summary.notValidated).toEqual(["/2023/05/01/a-huge-article/"]);
    expect(run.status).toBe(0);
  });
});
