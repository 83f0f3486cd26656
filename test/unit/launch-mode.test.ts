import { describe, expect, it } from "vitest";
import { chooseLaunchMode, errorLine, headlessNotice } from "../../scripts/launch-mode.ts";

describe("chooseLaunchMode", () => {
  const display = { DISPLAY: ":0" };

  it("opens Electron when the binary exists and there is a display", () => {
    expect(
      chooseLaunchMode({ electronBinaryExists: true, platform: "linux", env: display }),
    ).toEqual({
      mode: "electron",
    });
    expect(
      chooseLaunchMode({
        electronBinaryExists: true,
        platform: "linux",
        env: { WAYLAND_DISPLAY: "wayland-0" },
      }),
    ).toEqual({ mode: "electron" });
  });

  it("serves headless when the binary is missing, whatever the display", () => {
    for (const platform of ["linux", "darwin", "win32"] as const) {
      expect(chooseLaunchMode({ electronBinaryExists: false, platform, env: display })).toEqual({
        mode: "headless",
        reason: "binary not installed",
      });
    }
  });

  it("serves headless on Linux without DISPLAY or WAYLAND_DISPLAY (empty counts as unset)", () => {
    for (const env of [{}, { DISPLAY: "" }, { DISPLAY: " ", WAYLAND_DISPLAY: "" }]) {
      const choice = chooseLaunchMode({ electronBinaryExists: true, platform: "linux", env });
      expect(choice.mode).toBe("headless");
      expect(choice.mode === "headless" && choice.reason).toMatch(/no display/);
    }
    expect(
      chooseLaunchMode({ electronBinaryExists: true, platform: "freebsd", env: {} }).mode,
    ).toBe("headless");
  });

  it("needs no display variable on macOS and Windows", () => {
    expect(chooseLaunchMode({ electronBinaryExists: true, platform: "darwin", env: {} }).mode).toBe(
      "electron",
    );
    expect(chooseLaunchMode({ electronBinaryExists: true, platform: "win32", env: {} }).mode).toBe(
      "electron",
    );
  });

  it("honours FLUXBASE_HEADLESS, except 0", () => {
    const headless = { ...display, FLUXBASE_HEADLESS: "1" };
    expect(
      chooseLaunchMode({ electronBinaryExists: true, platform: "linux", env: headless }).mode,
    ).toBe("headless");
    const zero = { ...display, FLUXBASE_HEADLESS: "0" };
    expect(
      chooseLaunchMode({ electronBinaryExists: true, platform: "linux", env: zero }).mode,
    ).toBe("electron");
  });

  it("says so in one line", () => {
    const line = headlessNotice("binary not installed");
    expect(line).toBe(
      "Electron is not available here (binary not installed); serving the UI headless instead.",
    );
    expect(line).not.toContain("\n");
  });
});

describe("errorLine", () => {
  it("prints an error as one line, without its stack", () => {
    const err = new Error("PostgreSQL did not start:\n  port 5432 in use");
    expect(errorLine(err)).toBe("fluxbase-local: PostgreSQL did not start: port 5432 in use");
    expect(errorLine("plain")).toBe("fluxbase-local: plain");
  });
});
