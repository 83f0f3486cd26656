// Small display helpers shared by the runs components.
export function shortId(id: string): string {
  return id.slice(0, 8);
}

export function clockTime(iso: string | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  return (
    d.toLocaleTimeString(undefined, { hour12: false }) +
    "." +
    String(d.getMilliseconds()).padStart(3, "0")
  );
}

export function ago(iso: string | undefined, now: number): string {
  if (!iso) return "—";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86400)}d ago`;
}

export function duration(from: string | undefined, to: string | undefined, now: number): string {
  if (!from) return "—";
  return formatMs((to ? Date.parse(to) : now) - Date.parse(from));
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.max(0, ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  // The smaller unit is truncated, never rounded up into "1m 60s".
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m ${Math.floor((ms % 60_000) / 1000)}s`;
  if (ms < 86_400_000)
    return `${Math.floor(ms / 3_600_000)}h ${Math.floor((ms % 3_600_000) / 60_000)}m`;
  return `${Math.floor(ms / 86_400_000)}d ${Math.floor((ms % 86_400_000) / 3_600_000)}h`;
}

export function percentOf(job: { status: string; progress?: { percent: number } }): number {
  if (job.status === "completed") return 100;
  return Math.max(0, Math.min(100, Math.round(job.progress?.percent ?? 0)));
}

/** Short values on one line, longer ones indented. */
export function json(value: unknown): string {
  const flat = JSON.stringify(value);
  return flat === undefined || flat.length <= 60 ? String(flat) : JSON.stringify(value, null, 2);
}
