// Splits an error text or log line into plain text and references to job files
// (`…/jobs/report.ts:19:11`, `file:///…/jobs/reports/nightly.ts:4`), so each reference can
// link to that line in the IDE.
export type StackPart = { text: string } | { text: string; file: string; line: number };

const REF =
  /(?:file:\/\/)?[\w.@/-]*?\bjobs\/([\w.@/-]+\.(?:ts|js|mjs|tsx))(?:[?#][^\s:)]*)?:(\d+)(?::\d+)?/g;

export function stackParts(text: string): StackPart[] {
  const parts: StackPart[] = [];
  let last = 0;
  for (const m of text.matchAll(REF)) {
    const start = m.index ?? 0;
    if (start > last) parts.push({ text: text.slice(last, start) });
    parts.push({ text: m[0], file: m[1]!, line: Number(m[2]) });
    last = start + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
