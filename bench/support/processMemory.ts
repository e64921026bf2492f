/**
 * A child process's memory as Linux accounts it (/proc/<pid>/status, /proc/<pid>/fd), for benches
 * that run a program as its own process. RSS splits into file-backed pages (the node binary's code,
 * shared libraries) and anonymous ones (the V8 heap, Buffers, the C heap); the kernel keeps the
 * high-water mark, so a peak between two samples is not missed.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export interface ProcessMemory {
  readonly rssBytes: number;
  /** VmHWM: the highest RSS since the process started. */
  readonly peakRssBytes: number;
  readonly anonBytes: number;
  readonly fileBytes: number;
}

/** The figures of /proc/<pid>/status text; fields it lacks count as 0. */
export function parseProcStatus(text: string): ProcessMemory {
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { rssBytes: kib('VmRSS'), peakRssBytes: kib('VmHWM'), anonBytes: kib('RssAnon'), fileBytes: kib('RssFile') };
}

export function processMemory(pid: number): ProcessMemory {
  return parseProcStatus(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** Open sockets of a process: its connections to the API server, the metrics listener and scrapes. */
export function openSockets(pid: number): number {
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) n++;
    } catch {
      // closed between the listing and the look-up
    }
  }
  return n;
}
