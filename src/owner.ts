import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";

/**
 * Which process holds a lock. A process id alone is not enough: the id of
 * a build killed long ago may belong to another process now, and a killed
 * process whose parent has not reaped it stays a zombie that `kill(pid, 0)`
 * calls alive. On Linux the kernel's start time of the process, with the
 * boot it belongs to, tells the very process apart.
 */
export interface Owner {
  pid: number;
  /** `/proc` start time and boot id, where the system has them. */
  started: string | null;
}

function procStat(pid: number): { state: string; started: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name, in parentheses, may hold spaces: fields are counted after its end.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const boot = readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
    return { state: fields[0], started: `${boot}:${fields[19]}` };
  } catch {
    return undefined;
  }
}

export function currentOwner(): Owner {
  return { pid: process.pid, started: procStat(process.pid)?.started ?? null };
}

/** Whether the process that wrote `owner` still runs. */
export function isAlive(owner: Owner): boolean {
  if (!Number.isInteger(owner.pid) || owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  const stat = procStat(owner.pid);
  if (!stat) return owner.started === null;
  return stat.state !== "Z" && (owner.started === null || stat.started === owner.started);
}

function readOwner(path: string): Owner | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as Owner;
  } catch {
    return undefined;
  }
}

/** A lock file held by this process; `release` removes it. */
export interface Lock {
  release(): void;
}

/**
 * Take the lock at `path` if no live process holds it. A lock left by a
 * process that ended is taken over; the file is written whole beside the
 * lock and linked into place, so no other process reads a half-written one.
 */
export function tryLock(path: string): Lock | { heldBy: Owner } {
  const me = currentOwner();
  const mine = `${path}.${me.pid}`;
  writeFileSync(mine, JSON.stringify(me));
  try {
    for (;;) {
      try {
        linkSync(mine, path);
        return { release: () => rmSync(path, { force: true }) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = readOwner(path);
      if (holder && isAlive(holder)) return { heldBy: holder };
      // Moved aside before removal: of two processes taking over the same dead lock, one finds it gone.
      const dead = `${path}.dead.${me.pid}`;
      try {
        renameSync(path, dead);
      } catch {
        continue;
      }
      const moved = readOwner(dead);
      // Another process took the dead lock over between reading and moving it: its lock goes back.
      if (moved && isAlive(moved)) {
        try {
          linkSync(dead, path);
        } catch {
          // Someone holds the lock again; its owner is found on the next turn.
        }
      }
      rmSync(dead, { force: true });
    }
  } finally {
    rmSync(mine, { force: true });
  }
}

/** Take the lock at `path`, waiting while a live process holds it; `onWait` hears of the holder once. */
export async function lock(path: string, onWait: (holder: Owner) => void): Promise<Lock> {
  let told = false;
  for (;;) {
    const taken = tryLock(path);
    if ("release" in taken) return taken;
    if (!told) onWait(taken.heldBy);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
