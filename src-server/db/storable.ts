// What PostgreSQL can store: text and jsonb hold no NUL character, and UTF-8 has no
// unpaired UTF-16 surrogate. A job's result, error, progress and log lines may contain
// either (a handler can return any string), so before they are written a NUL becomes the
// six characters `\u0000` and an unpaired surrogate becomes U+FFFD. Values with neither
// come back unchanged (the same object), so the common case costs one scan.

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// That, or a NUL.
const UNSTORABLE = new RegExp(`\\u0000|${UNPAIRED_SURROGATE.source}`);
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, "g");

/**
 * Why `text` cannot be stored as PostgreSQL text, or undefined when it can: for input,
 * which is refused (outcomes of jobs are made storable instead, below).
 */
export function textProblem(text: string): string | undefined {
  if (text.includes("\0")) return "text contains a NUL byte";
  if (UNPAIRED_SURROGATE.test(text))
    return "text contains an unpaired surrogate (not valid Unicode)";
  return undefined;
}

/** The text with NUL escaped as `\u0000` and unpaired surrogates replaced by U+FFFD. */
export function storableText(text: string): string {
  if (!UNSTORABLE.test(text)) return text;
  return text.replace(UNSTORABLE_ALL, (c) => (c === "\u0000" ? "\\u0000" : "\ufffd"));
}

/**
 * A JSON value with every string (object keys included) made storable; the same value
 * when nothing needed to change. Non-JSON leaves (Dates, numbers) pass through.
 */
export function storableJson<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(value: unknown, depth: number): unknown {
  if (typeof value === "string") return storableText(value);
  if (typeof value !== "object" || value === null || depth > 10_000) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = walk(value[i], depth + 1);
      if (item !== value[i]) (out ??= value.slice())[i] = item;
    }
    return out ?? value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null)
    return value;
  let out: Record<string, unknown> | undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [key, item] of entries) {
    const k = storableText(key);
    const v = walk(item, depth + 1);
    if (k !== key || v !== item) {
      out ??= {};
      break;
    }
  }
  if (!out) return value;
  for (const [key, item] of entries) out[storableText(key)] = walk(item, depth + 1);
  return out;
}
