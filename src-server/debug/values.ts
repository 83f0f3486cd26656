// How the debugger shows a value: CDP RemoteObjects turned into one line of text, with the
// id that expands an object (its properties are fetched on demand).

export interface RemoteObject {
  type: string;
  subtype?: string;
  className?: string;
  value?: unknown;
  unserializableValue?: string;
  description?: string;
  objectId?: string;
  preview?: ObjectPreview;
}

interface PropertyPreview {
  name: string;
  type: string;
  value?: string;
  subtype?: string;
}

interface ObjectPreview {
  type: string;
  subtype?: string;
  description?: string;
  overflow: boolean;
  properties: PropertyPreview[];
}

export interface DebugValue {
  /** One line: `42`, `"text"`, `{a: 1, b: "x"}`, `Array(3) [1, 2, 3]`. */
  text: string;
  type: string;
  /** Set for objects: pass it to the properties route to expand. */
  objectId?: string;
}

export interface DebugVariable extends DebugValue {
  name: string;
}

function previewText(preview: ObjectPreview): string {
  const parts = preview.properties.map((p) => {
    const value = p.type === "string" ? JSON.stringify(p.value ?? "") : (p.value ?? p.type);
    return preview.subtype === "array" ? value : `${p.name}: ${value}`;
  });
  if (preview.overflow) parts.push("…");
  return preview.subtype === "array" ? `[${parts.join(", ")}]` : `{${parts.join(", ")}}`;
}

export function describeValue(object: RemoteObject): DebugValue {
  const { type } = object;
  if (type === "undefined") return { text: "undefined", type };
  if (type === "string") return { text: JSON.stringify(object.value), type };
  if (type === "number" || type === "bigint" || type === "boolean" || type === "symbol") {
    const text = object.unserializableValue ?? object.description ?? String(object.value as string);
    return { text, type };
  }
  if (type === "object" && object.subtype === "null") return { text: "null", type: "null" };
  const description = object.description ?? object.className ?? type;
  let text = description;
  if (
    object.preview &&
    type === "object" &&
    !["error", "regexp", "date"].includes(object.subtype ?? "")
  )
    text =
      object.preview.subtype === "array" || description === "Object"
        ? `${description === "Object" ? "" : `${description} `}${previewText(object.preview)}`
        : `${description} ${previewText(object.preview)}`;
  if (type === "function") text = `ƒ ${description.split("\n")[0]!.slice(0, 120)}`;
  return { text: text.slice(0, 500), type: object.subtype ?? type, objectId: object.objectId };
}
