// A read whose query string passes 4 KB goes as `POST <table path>/query` with the query as a
// JSON body (upstream's long-query form), so a large `.in()` never meets a URL or header limit.
// The filters travel as one `andFilters` group of `column.operator.value` items. Pure.

/** Past this many characters of query string, reads use the POST form (as upstream's SDK). */
export const LONG_QUERY_CHARS = 4096;

const GROUP = /^(not\.)?(or|and)$/;
const RESERVED = new Set(["select", "order", "limit", "offset", "count"]);

function quoted(value: string): string {
  return /[,()"\s\\]/.test(value) ? `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"` : value;
}

/** One query-string filter as an item of an and/or group. */
export function groupItem(name: string, value: string): string {
  if (GROUP.test(name)) return `${name}${value}`;
  const match = /^((?:not\.)?[a-z]+)\.([\s\S]*)$/.exec(value);
  if (!match) return `${name}.${value}`;
  const [, op, rest] = match as unknown as [string, string, string];
  // `in` lists are already parenthesised with quoted items; `is` takes bare words.
  if (/(^|\.)(in|is)$/.test(op)) return `${name}.${op}.${rest}`;
  return `${name}.${op}.${quoted(rest)}`;
}

export function longQueryBody(search: URLSearchParams): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const items: string[] = [];
  for (const [name, value] of search) {
    if (!RESERVED.has(name)) {
      items.push(groupItem(name, value));
      continue;
    }
    if (name === "select") body.select = value;
    else if (name === "count") body.count = value;
    else if (name === "limit" || name === "offset") body[name] = Number(value);
    else
      body.order = value.split(",").map((term) => {
        const [column, ...mods] = term.split(".");
        const nulls = mods.find((m) => m.startsWith("nulls"));
        return {
          column,
          direction: mods.includes("desc") ? "desc" : "asc",
          ...(nulls ? { nulls: nulls.slice(5) } : {}),
        };
      });
  }
  if (items.length > 0) body.andFilters = [items.join(",")];
  return body;
}
