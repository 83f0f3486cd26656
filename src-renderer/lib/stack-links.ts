// Splits an error text or log line into plain text and references to job files
// (`…/jobs/report.ts:19:11`, `file:///…/jobs/reports/nightly.ts:4`), so each reference can
// link to that line in the IDE. The sandbox runs a job's code from a content-addressed
// copy (`…/<sha256>.ts:19:11`, or a `blob:null/<uuid>:19:11` module): with `ownFile` (the
// run's own job file) such a frame links there.
export type StackPart = { text: string } | { text: string; file: string; line: number };

const REF =
  /(?:file:\/\/)?[\w.@/-]*?\bjobs\/([\w.@/-]+\.(?:ts|js|mjs|tsx))(?:[?#][^\s:)]*)?:(\d+)(?::\d+)?/g;

const CACHED =
  /(?:(?:file:\/\/)?[\w.@/-]*?\b[0-9a-f]{64}\.ts(?:[?#][^\s:)]*)?|blob:[^\s/)]*\/[0-9a-f-]{36}):(\d+)(?::\d+)?/g;

export function stackParts(text: string, ownFile?: string): StackPart[] {
  const found: { start: number; text: string; file: string; line: number }[] = [];
  for (const m of text.matchAll(REF))
    found.push({ start: m.index ?? 0, text: m[0], file: m[1]!, line: Number(m[2]) });
  if (ownFile)
    for (const m of text.matchAll(CACHED))
      found.push({ start: m.index ?? 0, text: m[0], file: ownFile, line: Number(m[1]) });
  found.sort((a, b) => a.start - b.start);
  const parts: StackPart[] = [];
  let last = 0;
  for (const f of found) {
    if (f.start < last) continue;
    if (f.start > last) parts.push({ text: text.slice(last, f.start) });
    parts.push({ text: f.text, file: f.file, line: f.line });
    last = f.start + f.text.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
