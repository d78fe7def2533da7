import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/**
 * CPU time of other processes from /proc (Linux only; null elsewhere). CPU per request is far
 * steadier than requests/s on a shared machine: other work slows a process down but does not
 * make it spend more CPU on the same request.
 */
export function processCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

/** The process listening on a local TCP port (the embedded database server), or null. */
export function listeningPid(port: number): number | null {
  try {
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const columns = line.trim().split(/\s+/);
        // local_address is ADDR:PORT, st 0A is LISTEN, inode is column 10.
        if (columns[1]?.endsWith(`:${hexPort}`) && columns[3] === '0A' && columns[9]) inodes.add(columns[9]);
      }
    }
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let descriptors: string[];
      try {
        descriptors = readdirSync(`/proc/${entry}/fd`);
      } catch {
        continue;
      }
      for (const descriptor of descriptors) {
        try {
          const target = readlinkSync(`/proc/${entry}/fd/${descriptor}`);
          if (inodes.has(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? '')) return Number(entry);
        } catch {
          // gone or not ours to read
        }
      }
    }
    return null;
  } catch {
    return null;
  }
}
