/** Reads a V8 `.cpuprofile` (from `node --cpu-prof`) into self and inclusive time per function. */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
}

export interface FrameTime {
  /** `name (file:line)`, the file shortened to what a reader recognises. */
  frame: string;
  file: string;
  selfMs: number;
  /** Time with this frame anywhere on the stack (counted once per sample, even when recursive). */
  totalMs: number;
}

export interface ProfileSummary {
  durationMs: number;
  frames: FrameTime[];
}

export function summarizeCpuProfile(json: string, shortenFile: (url: string) => string): ProfileSummary {
  const profile = JSON.parse(json) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const totalHits = profile.nodes.reduce((sum, n) => sum + (n.hitCount ?? 0), 0);
  const durationMs = (profile.endTime - profile.startTime) / 1000;
  const msPerHit = totalHits > 0 ? durationMs / totalHits : 0;

  const keyOf = (n: ProfileNode): string => {
    const file = shortenFile(n.callFrame.url);
    return `${n.callFrame.functionName || '(anonymous)'} (${file}${file ? `:${n.callFrame.lineNumber + 1}` : ''})`;
  };
  const frames = new Map<string, FrameTime>();
  const entry = (n: ProfileNode): FrameTime => {
    const key = keyOf(n);
    let f = frames.get(key);
    if (!f) frames.set(key, (f = { frame: key, file: shortenFile(n.callFrame.url), selfMs: 0, totalMs: 0 }));
    return f;
  };
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0) continue;
    entry(n).selfMs += hits * msPerHit;
    const seen = new Set<string>();
    for (let id: number | undefined = n.id; id !== undefined; id = parent.get(id)) {
      const ancestor = byId.get(id)!;
      const f = entry(ancestor);
      if (seen.has(f.frame)) continue;
      seen.add(f.frame);
      f.totalMs += hits * msPerHit;
    }
  }
  return { durationMs, frames: [...frames.values()] };
}
