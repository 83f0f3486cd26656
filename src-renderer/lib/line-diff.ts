// A line diff of two texts (longest common subsequence), for comparing two runs side by
// side: each row pairs a line of the left text with one of the right, or with nothing.

export interface DiffRow {
  kind: "same" | "removed" | "added" | "changed";
  left?: string;
  right?: string;
}

/** Lines beyond this on either side are compared as one block (keeps the table small). */
const MAX_LINES = 2000;

export function diffLines(left: string, right: string): DiffRow[] {
  const a = left === "" ? [] : left.split("\n");
  const b = right === "" ? [] : right.split("\n");
  if (a.length > MAX_LINES || b.length > MAX_LINES) {
    return left === right
      ? a.map((line) => ({ kind: "same", left: line, right: line }))
      : [{ kind: "changed", left, right }];
  }
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () =>
    new Array<number>(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] =
        a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const rows: DiffRow[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      rows.push({ kind: "same", left: a[i], right: b[j] });
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      rows.push({ kind: "removed", left: a[i] });
      i++;
    } else {
      rows.push({ kind: "added", right: b[j] });
      j++;
    }
  }
  return pairChanges(rows);
}

/** A removed line directly followed by an added one is one changed line, side by side. */
function pairChanges(rows: DiffRow[]): DiffRow[] {
  const out: DiffRow[] = [];
  for (let k = 0; k < rows.length; k++) {
    const removed: DiffRow[] = [];
    while (rows[k]?.kind === "removed") removed.push(rows[k++]!);
    const added: DiffRow[] = [];
    while (rows[k]?.kind === "added") added.push(rows[k++]!);
    const n = Math.max(removed.length, added.length);
    for (let m = 0; m < n; m++) {
      const l = removed[m];
      const r = added[m];
      if (l && r) out.push({ kind: "changed", left: l.left, right: r.right });
      else out.push(l ?? r!);
    }
    if (k < rows.length) out.push(rows[k]!);
  }
  return out;
}

/** Whether two texts differ at all. */
export function differs(rows: DiffRow[]): boolean {
  return rows.some((r) => r.kind !== "same");
}
