// The long-query form of a data API read: `POST /api/v1/tables/<table>/query` with the query as
// a JSON body, which SDKs send when the query string would pass 4 KB (a large `.in()`). Body
// fields as upstream's SDK sends them: select, filters [{column, operator, value}], orFilters and
// andFilters ("col.op.value,…" strings), betweenFilters [{column, min, max, negated}], order
// [{column, direction, nulls}], limit, offset, count, groupBy. Pure: -> the same ParsedQuery as
// the query-string form, so reads behave alike either way.
import { AppError } from "../errors.ts";
import {
  parseCondition,
  parseGroup,
  parseSelect,
  QUERY_LIMITS,
  type Condition,
  type OrderTerm,
  type ParsedQuery,
} from "./query-parse.ts";

type Json = Record<string, unknown>;

function bad(message: string, field: string): AppError {
  return new AppError("BAD_REQUEST", message, { field });
}

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function list(body: Json, field: string): unknown[] {
  const value = body[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw bad(`"${field}" must be an array`, field);
  return value;
}

function text(item: Json, key: string, field: string): string {
  const value = item[key];
  if (typeof value !== "string" || value === "")
    throw bad(`"${field}.${key}" must be a non-empty string`, `${field}.${key}`);
  return value;
}

/** A JSON value as the literal the query-string form would carry. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function filter(item: unknown, field: string): Condition {
  if (!isObject(item)) throw bad(`"${field}" must be an object {column, operator, value}`, field);
  const column = text(item, "column", field);
  const operator = text(item, "operator", field);
  const value = item.value;
  if (operator === "in") {
    if (!Array.isArray(value)) throw bad(`"${field}.value" of "in" must be an array`, field);
    return { kind: "in", column, values: value.map(literal), negate: false };
  }
  // `not` carries "<op>.<value>" already formatted, as in the query string.
  if (operator === "not") return parseCondition(column, `not.${literal(value)}`, field);
  return parseCondition(column, `${operator}.${literal(value)}`, field);
}

function between(item: unknown, field: string): Condition[] {
  if (!isObject(item)) throw bad(`"${field}" must be an object {column, min, max}`, field);
  const column = text(item, "column", field);
  const [min, max] = [literal(item.min), literal(item.max)];
  if (item.negated === true) {
    const items: Condition[] = [
      { kind: "compare", column, op: "lt", value: min, negate: false },
      { kind: "compare", column, op: "gt", value: max, negate: false },
    ];
    return [{ kind: "group", join: "or", items, negate: false }];
  }
  return [
    { kind: "compare", column, op: "gte", value: min, negate: false },
    { kind: "compare", column, op: "lte", value: max, negate: false },
  ];
}

function orderTerm(item: unknown, field: string): OrderTerm {
  if (!isObject(item)) throw bad(`"${field}" must be an object {column, direction}`, field);
  const out: OrderTerm = {
    column: text(item, "column", field),
    descending: String(item.direction ?? "asc").toLowerCase() === "desc",
  };
  const nulls = String(item.nulls ?? "")
    .toLowerCase()
    .replace(/^nulls/, "");
  if (nulls === "first" || nulls === "last") out.nulls = nulls;
  else if (nulls !== "") throw bad(`"${field}.nulls" must be first or last`, `${field}.nulls`);
  return out;
}

function nonNegative(body: Json, field: string): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw bad(`"${field}" must be a non-negative integer`, field);
  return value;
}

function groupStrings(body: Json, field: string, join: "and" | "or"): Condition[] {
  return list(body, field).map((item, i) => {
    if (typeof item !== "string") throw bad(`"${field}[${i}]" must be a string`, field);
    return parseGroup(join, false, `(${item})`, field);
  });
}

export function parsePostQuery(body: unknown): ParsedQuery {
  if (!isObject(body)) throw bad("The body must be a JSON object describing the query", "body");
  const out: ParsedQuery = { select: null, filters: [], order: [], count: false };
  if (body.select !== undefined && body.select !== null) {
    if (typeof body.select !== "string") throw bad('"select" must be a string', "select");
    out.select = parseSelect(body.select.replace(/\s+/g, ""));
  }
  list(body, "filters").forEach((f, i) => out.filters.push(filter(f, `filters[${i}]`)));
  out.filters.push(...groupStrings(body, "orFilters", "or"));
  out.filters.push(...groupStrings(body, "andFilters", "and"));
  list(body, "betweenFilters").forEach((b, i) =>
    out.filters.push(...between(b, `betweenFilters[${i}]`)),
  );
  const order = list(body, "order");
  if (order.length > QUERY_LIMITS.orderTerms)
    throw bad(`"order" has more than ${QUERY_LIMITS.orderTerms} terms`, "order");
  out.order = order.map((o, i) => orderTerm(o, `order[${i}]`));
  out.limit = nonNegative(body, "limit");
  out.offset = nonNegative(body, "offset");
  if (out.limit === undefined) delete out.limit;
  if (out.offset === undefined) delete out.offset;
  if (body.count !== undefined && body.count !== null && body.count !== "") {
    if (!["exact", "planned", "estimated"].includes(String(body.count)))
      throw bad('"count" must be exact, planned or estimated', "count");
    out.count = true;
  }
  if (list(body, "groupBy").length > 0)
    throw bad('"groupBy" is not supported: select count() with plain columns instead', "groupBy");
  if (out.filters.length > QUERY_LIMITS.conditions)
    throw bad(`The query has more than ${QUERY_LIMITS.conditions} filters`, "filters");
  return out;
}
