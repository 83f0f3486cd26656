// Source map v3 reading for the debugger: the job's TypeScript lines against the lines of
// the JavaScript V8 runs (the sandbox transpiles the job and hands the map to the inspector as
// a data: URL). A job bundled from several files (docs/architecture.md, "Debug runs") has one
// source per file, named relative to the jobs folder. Only what breakpoints and pause
// locations need.

export interface MappedPosition {
  /** 0-based, as in the Chrome DevTools Protocol. */
  line: number;
  column: number;
}

export interface OriginalPosition extends MappedPosition {
  /** Index into `sources`. */
  source: number;
}

interface Segment {
  generatedLine: number;
  generatedColumn: number;
  source: number;
  sourceLine: number;
  sourceColumn: number;
}

export interface SourceMapIndex {
  /** The original files, as the map names them. */
  sources: string[];
  /** Generated positions for a line of one source (default the first), earliest first. */
  generatedFor(sourceLine: number, source?: number): MappedPosition[];
  /** The original position of a generated one (the nearest segment at or before it). */
  originalFor(position: MappedPosition): OriginalPosition | undefined;
  /** The first source's text, when the map carries it. */
  sourceContent?: string;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** Decodes one segment's base64 VLQ fields. */
function decodeVlq(text: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = DIGIT.get(char);
    if (digit === undefined) throw new Error(`invalid source map character ${char}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

function decodeMappings(mappings: string): Segment[] {
  const segments: Segment[] = [];
  let source = 0;
  let sourceLine = 0;
  let sourceColumn = 0;
  const lines = mappings.split(";");
  for (let generatedLine = 0; generatedLine < lines.length; generatedLine++) {
    let generatedColumn = 0;
    for (const part of lines[generatedLine]!.split(",")) {
      if (part === "") continue;
      const fields = decodeVlq(part);
      generatedColumn += fields[0] ?? 0;
      if (fields.length < 4) continue;
      source += fields[1]!;
      sourceLine += fields[2]!;
      sourceColumn += fields[3]!;
      segments.push({ generatedLine, generatedColumn, source, sourceLine, sourceColumn });
    }
  }
  return segments;
}

interface RawSourceMap {
  version?: number;
  sources?: string[];
  sourcesContent?: (string | null)[];
  mappings?: string;
}

/** Reads a map (JSON text). */
export function indexSourceMap(json: string): SourceMapIndex {
  const raw = JSON.parse(json) as RawSourceMap;
  if (typeof raw.mappings !== "string") throw new Error("source map has no mappings");
  const segments = decodeMappings(raw.mappings);
  const bySource = [...segments].sort(
    (a, b) =>
      a.source - b.source ||
      a.sourceLine - b.sourceLine ||
      a.generatedLine - b.generatedLine ||
      a.generatedColumn - b.generatedColumn,
  );
  const byGenerated = [...segments].sort(
    (a, b) => a.generatedLine - b.generatedLine || a.generatedColumn - b.generatedColumn,
  );
  const original = (s: Segment): OriginalPosition => ({
    source: s.source,
    line: s.sourceLine,
    column: s.sourceColumn,
  });
  return {
    sources: raw.sources ?? [],
    sourceContent: raw.sourcesContent?.[0] ?? undefined,
    generatedFor(sourceLine, source = 0) {
      return bySource
        .filter((s) => s.source === source && s.sourceLine === sourceLine)
        .map((s) => ({ line: s.generatedLine, column: s.generatedColumn }));
    },
    originalFor({ line, column }) {
      let found: Segment | undefined;
      for (const s of byGenerated) {
        if (s.generatedLine > line || (s.generatedLine === line && s.generatedColumn > column))
          break;
        if (s.generatedLine === line) found = s;
      }
      // A position before the line's first segment maps with that first segment.
      found ??= byGenerated.find((s) => s.generatedLine === line);
      return found ? original(found) : undefined;
    },
  };
}

/** The JSON of a `data:application/json;base64,…` source map URL; undefined for others. */
export function inlineSourceMap(url: string | undefined): string | undefined {
  if (!url?.startsWith("data:")) return undefined;
  const comma = url.indexOf(",");
  if (comma < 0) return undefined;
  const meta = url.slice(5, comma);
  const body = url.slice(comma + 1);
  return meta.endsWith(";base64")
    ? Buffer.from(body, "base64").toString("utf8")
    : decodeURIComponent(body);
}
