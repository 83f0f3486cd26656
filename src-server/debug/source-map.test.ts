import { describe, expect, it } from "vitest";
import { indexSourceMap, inlineSourceMap } from "./source-map.ts";

// Deno's map of a job whose first line (an interface) has no JavaScript: generated line 0
// is source line 1, and so on (taken from the inspector of Deno 2.9.6).
const MAP = JSON.stringify({
  version: 3,
  sources: ["blob:null/x"],
  sourcesContent: [
    "interface X { a: number }\nexport async function handler(req: Request) {\n  const payload: X = await req.json();\n  const doubled = payload.a * 2;\n  return { doubled };\n}\n",
  ],
  names: [],
  mappings:
    "AACA,OAAO,eAAe,QAAQ,GAAY;EACxC,MAAM,UAAa,MAAM,IAAI,IAAI;EACjC,MAAM,UAAU,QAAQ,CAAC,GAAG;EAC5B,OAAO;IAAE;EAAQ;AACnB",
});

describe("source maps", () => {
  it("maps source lines to generated ones and back", () => {
    const map = indexSourceMap(MAP);
    expect(map.generatedFor(0)).toEqual([]);
    expect(map.generatedFor(2)[0]).toEqual({ line: 1, column: 2 });
    expect(map.generatedFor(3)[0]).toEqual({ line: 2, column: 2 });
    expect(map.originalFor({ line: 1, column: 28 })).toEqual({ source: 0, line: 2, column: 31 }); // .json
    expect(map.originalFor({ line: 0, column: 0 })?.line).toBe(1);
    expect(map.sourceContent).toContain("interface X");
    expect(map.sources).toEqual(["blob:null/x"]);
  });

  it("reads inline data: URLs, base64 or not", () => {
    const base64 = `data:application/json;base64,${Buffer.from(MAP).toString("base64")}`;
    expect(inlineSourceMap(base64)).toBe(MAP);
    expect(inlineSourceMap(`data:application/json,${encodeURIComponent(MAP)}`)).toBe(MAP);
    expect(inlineSourceMap("https://example.com/x.map")).toBeUndefined();
  });
});
