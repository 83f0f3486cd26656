// The subscription filter of compatibility §3.5: one `column=op.value` per subscription, checked
// against the changed row (record, or old_record for a DELETE). Pure: parse once at
// subscribe time, match per event.

export type FilterOp = "eq" | "neq" | "gt" | "gte" | "lt" | "lte" | "like" | "ilike" | "is" | "in";

export interface Filter {
  /** The text as the client sent it (echoed in the subscribe ack). */
  text: string;
  column: string;
  /** JSON path below the column: `progress->>percent` → [{ key: "percent", asText: true }]. */
  path: { key: string; asText: boolean }[];
  op: FilterOp;
  /** eq/neq/gt…lte/like/ilike: the operand; is: "null" | "true" | "false"; in: the list. */
  value: string;
  values: string[];
  /** like/ilike as a whole-string regular expression. */
  pattern?: RegExp;
}

export class FilterError extends Error {}

const OPS = new Set<FilterOp>(["eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "is", "in"]);
const COLUMN = /^(\w+)((?:->>?\w+)*)$/;

function parsePath(text: string): Filter["path"] {
  const path: Filter["path"] = [];
  for (const match of text.matchAll(/(->>?)(\w+)/g))
    path.push({ key: match[2]!, asText: match[1] === "->>" });
  return path;
}

/** `(a,b,"c,d")` → ["a", "b", "c,d"]. */
function parseList(text: string): string[] {
  if (!text.startsWith("(") || !text.endsWith(")"))
    throw new FilterError('in needs a list like "(a,b,c)"');
  const items: string[] = [];
  let current = "";
  let quoted = false;
  for (let i = 1; i < text.length - 1; i++) {
    const ch = text[i]!;
    if (quoted && ch === "\\") current += text[++i] ?? "";
    else if (ch === '"') quoted = !quoted;
    else if (ch === "," && !quoted) {
      items.push(current.trim());
      current = "";
    } else current += ch;
  }
  if (quoted) throw new FilterError("unterminated quote in list");
  items.push(current.trim());
  if (items.length === 1 && items[0] === "") throw new FilterError("in needs at least one value");
  return items;
}

function likePattern(value: string, caseInsensitive: boolean): RegExp {
  const source = value
    .split("")
    .map((ch) =>
      ch === "*" || ch === "%" ? ".*" : ch === "_" ? "." : ch.replace(/[.+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("");
  return new RegExp(`^${source}$`, caseInsensitive ? "is" : "s");
}

/** Parses `column=op.value`; throws FilterError with a message for the client. */
export function parseFilter(text: string): Filter {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new FilterError(`expected column=op.value, got "${text}"`);
  const columnText = text.slice(0, eq).trim();
  const rest = text.slice(eq + 1);
  const columnMatch = COLUMN.exec(columnText);
  if (!columnMatch) throw new FilterError(`invalid column "${columnText}"`);
  const dot = rest.indexOf(".");
  const op = (dot < 0 ? rest : rest.slice(0, dot)) as FilterOp;
  if (!OPS.has(op)) throw new FilterError(`unknown operator "${op}"`);
  if (dot < 0) throw new FilterError(`missing value after "${op}."`);
  const value = rest.slice(dot + 1);
  const filter: Filter = {
    text,
    column: columnMatch[1]!,
    path: parsePath(columnMatch[2] ?? ""),
    op,
    value,
    values: [],
  };
  if (op === "is" && !["null", "true", "false"].includes(value.toLowerCase())) {
    throw new FilterError("is accepts null, true or false");
  }
  if (op === "is") filter.value = value.toLowerCase();
  if (op === "in") filter.values = parseList(value);
  if (op === "like" || op === "ilike") filter.pattern = likePattern(value, op === "ilike");
  return filter;
}

/** The value the filter looks at: the column, then each JSON path step. */
function pick(row: Record<string, unknown>, filter: Filter): unknown {
  let value: unknown = row[filter.column];
  for (const step of filter.path) {
    if (typeof value === "string" && (value.startsWith("{") || value.startsWith("["))) {
      try {
        value = JSON.parse(value) as unknown;
      } catch {
        return undefined;
      }
    }
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string, unknown>)[step.key];
  }
  return value;
}

/** The string form compared by eq/neq/in/like; null for SQL NULL (matches only `is.null`). */
function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

function compare(actual: string, wanted: string): number {
  const a = Number(actual);
  const b = Number(wanted);
  if (wanted.trim() !== "" && Number.isFinite(b) && actual.trim() !== "" && Number.isFinite(a))
    return a - b;
  return actual < wanted ? -1 : actual > wanted ? 1 : 0;
}

/** Whether the row passes the filter (no row: no match). */
export function matchesFilter(
  filter: Filter,
  row: Record<string, unknown> | null | undefined,
): boolean {
  if (!row) return false;
  const raw = pick(row, filter);
  if (filter.op === "is") {
    if (filter.value === "null") return raw === null || raw === undefined;
    return raw === (filter.value === "true");
  }
  const text = textOf(raw);
  if (text === null) return false;
  switch (filter.op) {
    case "eq":
      return text === filter.value;
    case "neq":
      return text !== filter.value;
    case "in":
      return filter.values.includes(text);
    case "like":
    case "ilike":
      return filter.pattern!.test(text);
    case "gt":
      return compare(text, filter.value) > 0;
    case "gte":
      return compare(text, filter.value) >= 0;
    case "lt":
      return compare(text, filter.value) < 0;
    case "lte":
      return compare(text, filter.value) <= 0;
  }
}
