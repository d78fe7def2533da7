import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, utimes, writeFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * Who owns a directory of write-ahead segments: one live audit log per owner directory, under one
 * namespace (the database the events belong to), so two audit logs never replay each other's events
 * into the wrong database. A crashed owner's segments are claimed (renamed, file by file, so two
 * claimers never both get one) by the next audit log that opens the namespace.
 */
export interface WalOwner {
  hostname: string;
  pid: number;
  /** When the owning process started: a new process with a recycled pid (pid 1 in a container) is another owner. */
  processStartedAt: number;
  /** Set by a clean close: whatever is left there is for the next opener at once. */
  closed?: boolean;
}

const OWNER_FILE = 'owner.json';
export const SEGMENT_SUFFIX = '.wal';
/** An owner on another host counts as gone once its heartbeat is this old. */
export const STALE_HEARTBEAT_MS = 60_000;
export const HEARTBEAT_MS = 10_000;

const processStartedAt = Math.round(Date.now() - process.uptime() * 1_000);

export function currentOwner(): WalOwner {
  return { hostname: hostname(), pid: process.pid, processStartedAt };
}

/** Pure: whether an owner's segments may be taken over. */
export function isStaleOwner(owner: WalOwner | undefined, heartbeatAgeMs: number, me: WalOwner, isAlive: (pid: number) => boolean): boolean {
  if (!owner || owner.closed) return true;
  if (owner.hostname !== me.hostname) return heartbeatAgeMs > STALE_HEARTBEAT_MS;
  if (owner.pid === me.pid) return Math.abs(owner.processStartedAt - me.processStartedAt) > 1_000;
  return !isAlive(owner.pid);
}

function pidIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Namespaces are directory names: a database name, made safe. */
export function namespaceDirectory(root: string, namespace: string): string {
  return join(root, namespace.replace(/[^A-Za-z0-9._-]/g, '_') || 'default');
}

export class WalDirectory {
  readonly path: string;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly me = currentOwner();

  constructor(readonly namespacePath: string) {
    this.path = join(namespacePath, `${this.me.hostname}-${this.me.pid}-${randomBytes(4).toString('hex')}`);
  }

  async open(): Promise<void> {
    await mkdir(this.path, { recursive: true });
    await this.writeOwner(this.me);
    this.heartbeat = setInterval(() => {
      const now = new Date();
      utimes(join(this.path, OWNER_FILE), now, now).catch(() => undefined);
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Moves every segment of a gone owner into this directory; answers the new paths, oldest owner first. */
  async claimStale(newName: () => string): Promise<string[]> {
    const claimed: string[] = [];
    const entries = await readdir(this.namespacePath, { withFileTypes: true });
    for (const entry of entries.filter((candidate) => candidate.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      const other = join(this.namespacePath, entry.name);
      if (other === this.path || !(await this.isStale(other))) continue;
      const segments = (await readdir(other).catch(() => [] as string[])).filter((name) => name.endsWith(SEGMENT_SUFFIX)).sort();
      for (const segment of segments) {
        const target = join(this.path, newName());
        // Another opener may win the race for this file: then it is theirs.
        if (await rename(join(other, segment), target).then(() => true, () => false)) claimed.push(target);
      }
      await rm(join(other, OWNER_FILE), { force: true }).catch(() => undefined);
      await rmdir(other).catch(() => undefined);
    }
    return claimed;
  }

  /** A clean close: the directory goes when nothing is left in it, else it is marked for the next opener. */
  async close(empty: boolean): Promise<void> {
    clearInterval(this.heartbeat);
    if (!empty) return this.writeOwner({ ...this.me, closed: true });
    await rm(this.path, { recursive: true, force: true });
    await rmdir(this.namespacePath).catch(() => undefined); // only when no other owner is left in it
  }

  private async isStale(directory: string): Promise<boolean> {
    const ownerPath = join(directory, OWNER_FILE);
    const [text, info] = await Promise.all([readFile(ownerPath, 'utf8').catch(() => undefined), stat(ownerPath).catch(() => undefined)]);
    let owner: WalOwner | undefined;
    try {
      owner = text ? (JSON.parse(text) as WalOwner) : undefined;
    } catch {
      owner = undefined;
    }
    // A directory being created right now has no owner file yet: leave it unless it is old.
    if (!owner && !info) {
      const age = Date.now() - ((await stat(directory).catch(() => undefined))?.mtimeMs ?? 0);
      return age > STALE_HEARTBEAT_MS;
    }
    return isStaleOwner(owner, Date.now() - (info?.mtimeMs ?? 0), this.me, pidIsAlive);
  }

  private async writeOwner(owner: WalOwner): Promise<void> {
    const path = join(this.path, OWNER_FILE);
    await writeFile(`${path}.tmp`, JSON.stringify(owner));
    await rename(`${path}.tmp`, path);
  }
}
