// PostgREST-style query strings of the data API (compatibility §7.8) -> a typed query. Pure: no
// database here; column names are only checked against the catalogue in sql-build.ts.
import { AppError } from "../errors.ts";

export type CompareOp = "eq" | "neq" | "gt" | "gte" | "lt" | "lte" | "like" | "ilike";
export type IsValue = "null" | "true" | "false" | "unknown";

export type Condition =
  | { kind: "compare"; column: string; op: CompareOp; value: string; negate: boolean }
  | { kind: "in"; column: string; values: string[]; negate: boolean }
  | { kind: "is"; column: string; value: IsValue; negate: boolean }
  | { kind: "group"; join: "and" | "or"; items: Condition[]; negate: boolean };

export type SelectItem =
  | { kind: "star" }
  | { kind: "column"; column: string; alias?: string }
  | { kind: "count"; alias?: string };

export interface OrderTerm {
  column: string;
  descending: boolean;
  nulls?: "first" | "last";
}

export interface ParsedQuery {
  /** null when `select` is absent (all columns). */
  select: SelectItem[] | null;
  filters: Condition[];
  order: OrderTerm[];
  limit?: number;
  offset?: number;
  /** `count=exact|planned|estimated` (all counted exactly). */
  count: boolean;
  onConflict?: string[];
}

export interface Preferences {
  /** `return=representation`: the written rows as an array, whatever the body's shape. */
  returnRepresentation: boolean;
  /** `return=minimal`: no body. Without either, writes answer the rows as upstream does. */
  returnMinimal: boolean;
  count: boolean;
  resolution?: "merge" | "ignore";
}

/**
 * Bounds on one query, well inside what PostgreSQL takes (1,664 select items, its
 * expression stack): past them a request is a 400 naming the parameter, not a 500.
 */
export const QUERY_LIMITS = {
  selectItems: 500,
  conditions: 500,
  groupDepth: 16,
  orderTerms: 50,
  conflictColumns: 50,
};

function atMost<T>(items: T[], max: number, what: string, field: string): T[] {
  if (items.length > max)
    throw bad(`"${field}" has ${items.length} ${what}; at most ${max} are allowed`, field);
  return items;
}

const COMPARE_OPS = new Set<string>(["eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike"]);
const IS_VALUES = new Set<string>(["null", "true", "false", "unknown"]);
const COUNT_MODES = new Set(["exact", "planned", "estimated"]);

function bad(message: string, field: string): AppError {
  return new AppError("BAD_REQUEST", message, { field });
}

/** Splits on commas outside parentheses and double quotes. */
export function splitTopLevel(text: string, field: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === "\\") i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === "(") depth++;
    else if (ch === ")" && --depth < 0) throw bad(`Unbalanced ")" in ${field}`, field);
    else if (ch === "," && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (quoted) throw bad(`Unterminated quote in ${field}`, field);
  if (depth !== 0) throw bad(`Unbalanced "(" in ${field}`, field);
  parts.push(text.slice(start));
  return parts;
}

/** `"a,b"` -> `a,b` (backslash escapes); anything else as it is. */
function unquote(text: string): string {
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) {
    return text.slice(1, -1).replace(/\\(.)/g, "$1");
  }
  return text;
}

function parenthesised(text: string, field: string, what: string): string {
  if (!text.startsWith("(") || !text.endsWith(")")) {
    throw bad(`${what} must be a parenthesised list, e.g. (a,b): got "${text}"`, field);
  }
  return text.slice(1, -1);
}

/**
 * `[not.]op.value` for `column`. Inside or/and groups values may be double-quoted;
 * `*` in like patterns means `%` (PostgREST).
 */
export function parseCondition(
  column: string,
  spec: string,
  field: string,
  inGroup = false,
): Condition {
  let rest = spec;
  let negate = false;
  if (rest.startsWith("not.")) {
    negate = true;
    rest = rest.slice(4);
  }
  const dot = rest.indexOf(".");
  if (dot < 0)
    throw bad(
      `Filter on "${column}" must look like <operator>.<value>, e.g. eq.5: got "${spec}"`,
      field,
    );
  const op = rest.slice(0, dot);
  const raw = rest.slice(dot + 1);
  if (op === "in") {
    const inner = parenthesised(raw, field, `The value of "in" on "${column}"`);
    const values = inner === "" ? [] : splitTopLevel(inner, field).map(unquote);
    return { kind: "in", column, values, negate };
  }
  if (op === "is") {
    const value = raw.toLowerCase();
    if (!IS_VALUES.has(value))
      throw bad(`"is" on "${column}" takes null, true, false or unknown: got "${raw}"`, field);
    return { kind: "is", column, value: value as IsValue, negate };
  }
  if (!COMPARE_OPS.has(op)) {
    throw bad(
      `Unknown operator "${op}" on "${column}" (use eq, neq, gt, gte, lt, lte, like, ilike, is, in)`,
      field,
    );
  }
  let value = inGroup ? unquote(raw) : raw;
  if (op === "like" || op === "ilike") value = value.replace(/\*/g, "%");
  return { kind: "compare", column, op: op as CompareOp, value, negate };
}

/** `or=(a.eq.1,and(b.gt.2,c.is.null))` and friends. */
export function parseGroup(
  join: "and" | "or",
  negate: boolean,
  spec: string,
  field: string,
  depth = 1,
): Condition {
  if (depth > QUERY_LIMITS.groupDepth) {
    throw bad(
      `"${field}" nests and/or groups deeper than ${QUERY_LIMITS.groupDepth} levels`,
      field,
    );
  }
  const inner = parenthesised(spec, field, `"${field}"`);
  if (inner === "") throw bad(`"${field}" needs at least one condition`, field);
  const parts = atMost(splitTopLevel(inner, field), QUERY_LIMITS.conditions, "conditions", field);
  const items = parts.map((item): Condition => {
    const nested = /^(not\.)?(and|or)(\(.*\))$/s.exec(item);
    if (nested)
      return parseGroup(nested[2] as "and" | "or", !!nested[1], nested[3]!, field, depth + 1);
    const dot = item.indexOf(".");
    if (dot <= 0)
      throw bad(`Condition "${item}" in "${field}" must look like column.operator.value`, field);
    return parseCondition(item.slice(0, dot), item.slice(dot + 1), field, true);
  });
  return { kind: "group", join, items, negate };
}

export function parseSelect(text: string): SelectItem[] {
  if (text === "") return [{ kind: "star" }];
  const items = atMost(splitTopLevel(text, "select"), QUERY_LIMITS.selectItems, "items", "select");
  return items.map((item): SelectItem => {
    if (item === "*") return { kind: "star" };
    const colon = /^([^:()"]+):(?!:)(.+)$/.exec(item);
    const alias = colon ? colon[1] : undefined;
    const target = colon ? colon[2]! : item;
    if (target.startsWith('"')) return { kind: "column", column: unquote(target), alias };
    if (target === "count()") return { kind: "count", alias };
    if (target.includes("(")) {
      throw bad(
        `Embedding related tables ("${item}") is not supported: select this table's columns only`,
        "select",
      );
    }
    if (target.includes("::") || target.includes("->")) {
      throw bad(`Casts and JSON paths in select ("${item}") are not supported`, "select");
    }
    if (target === "") throw bad(`Empty column name in select: "${text}"`, "select");
    return { kind: "column", column: target, alias };
  });
}

export function parseOrder(text: string): OrderTerm[] {
  return atMost(text.split(","), QUERY_LIMITS.orderTerms, "terms", "order").map((term) => {
    const [column, ...mods] = term.split(".");
    if (!column) throw bad(`Empty column name in order: "${text}"`, "order");
    const out: OrderTerm = { column, descending: false };
    for (const mod of mods) {
      if (mod === "asc" || mod === "desc") out.descending = mod === "desc";
      else if (mod === "nullsfirst" || mod === "nullslast")
        out.nulls = mod === "nullsfirst" ? "first" : "last";
      else
        throw bad(
          `Unknown order modifier "${mod}" in "${term}" (use asc, desc, nullsfirst, nullslast)`,
          "order",
        );
    }
    return out;
  });
}

function parseNonNegative(name: string, text: string): number {
  if (!/^\d{1,15}$/.test(text))
    throw bad(`"${name}" must be a non-negative integer: got "${text}"`, name);
  return Number(text);
}

function columnList(name: string, text: string): string[] {
  const columns = atMost(text.split(","), QUERY_LIMITS.conflictColumns, "columns", name).map((c) =>
    c.trim(),
  );
  if (columns.some((c) => c === ""))
    throw bad(`"${name}" must be a comma-separated list of columns`, name);
  return columns;
}

function countConditions(conditions: Condition[]): number {
  return conditions.reduce((n, c) => n + (c.kind === "group" ? countConditions(c.items) : 1), 0);
}

/** Every parameter that is not reserved is a filter on a column. */
export function parseQuery(search: URLSearchParams): ParsedQuery {
  const out: ParsedQuery = { select: null, filters: [], order: [], count: false };
  for (const [name, value] of search) {
    switch (name) {
      case "select":
        out.select = parseSelect(value);
        break;
      case "order":
        out.order.push(...parseOrder(value));
        break;
      case "limit":
      case "offset":
        out[name] = parseNonNegative(name, value);
        break;
      case "count":
        if (!COUNT_MODES.has(value))
          throw bad(`"count" must be exact, planned or estimated: got "${value}"`, "count");
        out.count = true;
        break;
      case "on_conflict":
        out.onConflict = columnList(name, value);
        break;
      case "or":
      case "and":
      case "not.or":
      case "not.and":
        out.filters.push(
          parseGroup(name.endsWith("or") ? "or" : "and", name.startsWith("not."), value, name),
        );
        break;
      default:
        if (name === "") throw bad("Empty query parameter name", "query");
        out.filters.push(parseCondition(name, value, name));
    }
  }
  atMost(out.order, QUERY_LIMITS.orderTerms, "terms", "order");
  const conditions = countConditions(out.filters);
  if (conditions > QUERY_LIMITS.conditions) {
    throw bad(
      `The query has ${conditions} filter conditions; at most ${QUERY_LIMITS.conditions} are allowed`,
      "query",
    );
  }
  return out;
}

/** `Prefer: return=representation, count=exact, resolution=merge-duplicates`. */
export function parsePrefer(header: string | string[] | undefined): Preferences {
  const out: Preferences = { returnRepresentation: false, returnMinimal: false, count: false };
  const text = Array.isArray(header) ? header.join(",") : (header ?? "");
  for (const token of text.split(",")) {
    const [key, value] = token
      .trim()
      .split("=")
      .map((s) => s.trim());
    if (key === "return") {
      out.returnRepresentation = value === "representation";
      out.returnMinimal = value === "minimal";
    } else if (key === "count" && value && COUNT_MODES.has(value)) out.count = true;
    else if (key === "resolution" && value === "merge-duplicates") out.resolution = "merge";
    else if (key === "resolution" && value === "ignore-duplicates") out.resolution = "ignore";
  }
  return out;
}

/**
 * Every column name the query refers to (the catalogue reloads a cached table that lacks
 * one). A selected `count` is left out: without such a column it means count(*).
 */
export function referencedColumns(query: ParsedQuery): string[] {
  const names = new Set<string>();
  const walk = (c: Condition) => (c.kind === "group" ? c.items.forEach(walk) : names.add(c.column));
  query.filters.forEach(walk);
  for (const term of query.order) names.add(term.column);
  for (const item of query.select ?? [])
    if (item.kind === "column" && item.column !== "count") names.add(item.column);
  for (const column of query.onConflict ?? []) names.add(column);
  return [...names];
}
