// Status badges are readable in both themes: text on its tint at 4.5:1 or better (WCAG AA).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const css = readFileSync(new URL("../../src-renderer/theme.css", import.meta.url), "utf8");

function block(selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  const body = css.slice(start, css.indexOf("}", start));
  return Object.fromEntries(
    [...body.matchAll(/(--[\w-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1]!, m[2]!]),
  );
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const v = parseInt(hex.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

describe("status badge contrast", () => {
  const light = block(":root");
  const dark = { ...light, ...block(':root[data-theme="dark"]') };
  for (const [theme, vars] of [
    ["light", light],
    ["dark", dark],
  ] as const) {
    for (const status of ["completed", "failed", "running", "pending", "cancelled"]) {
      it(`${status} in the ${theme} theme`, () => {
        const fg = vars[`--badge-${status}`];
        const bg = vars[`--badge-${status}-bg`];
        expect(fg && bg, `--badge-${status} colours`).toBeTruthy();
        expect(contrast(fg!, bg!)).toBeGreaterThanOrEqual(4.5);
      });
    }
    it(`the offline banner in the ${theme} theme`, () => {
      expect(contrast(vars["--warn-text"]!, vars["--warn-bg"]!)).toBeGreaterThanOrEqual(4.5);
    });
  }
  it("the statuses use those colours", () => {
    for (const status of ["completed", "failed", "running", "pending", "cancelled"])
      expect(css).toMatch(
        new RegExp(`\\.status\\.${status} \\{\\s*color: var\\(--badge-${status}\\);`),
      );
  });
});
