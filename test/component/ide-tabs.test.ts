// The IDE store's tabs: each open file keeps its own unsaved text; closing an unsaved tab
// needs an explicit discard; rename and delete follow the tab; Run refuses what is no job.
import { createPinia, setActivePinia } from "pinia";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { setApiClient } from "../../src-renderer/api.ts";
import { useIdeStore } from "../../src-renderer/stores/ide.ts";
import { fakeServer } from "./fake-server.ts";

beforeEach(() => setActivePinia(createPinia()));
afterEach(() => setApiClient(undefined));

describe("ide store tabs", () => {
  it("keeps each file's unsaved text when switching between them", async () => {
    fakeServer({ files: { "a.ts": "// a\n", "b.ts": "// b\n" } });
    const ide = useIdeStore();
    await ide.open("a.ts");
    ide.text = "// a edited\n";
    await ide.open("b.ts");
    expect(ide.text).toBe("// b\n");
    expect(ide.dirty).toBe(false);
    expect(ide.dirtyPaths).toEqual(["a.ts"]);
    await ide.open("a.ts");
    expect(ide.text).toBe("// a edited\n");
    expect(ide.dirty).toBe(true);
    expect(ide.tabs.map((t) => t.path)).toEqual(["a.ts", "b.ts"]);
  });

  it("closes a clean tab, keeps an unsaved one unless told to discard", async () => {
    fakeServer({ files: { "a.ts": "// a\n", "b.ts": "// b\n" } });
    const ide = useIdeStore();
    await ide.open("a.ts");
    await ide.open("b.ts");
    ide.text = "// b edited\n";
    expect(ide.close("b.ts")).toBe(false);
    expect(ide.openPath).toBe("b.ts");
    expect(ide.close("b.ts", { discard: true })).toBe(true);
    expect(ide.openPath).toBe("a.ts");
    expect(ide.close("a.ts")).toBe(true);
    expect(ide.openPath).toBeNull();
    expect(ide.dirtyPaths).toEqual([]);
  });

  it("saves one tab without touching another's unsaved text; rename and delete follow the tab", async () => {
    const server = fakeServer({ files: { "a.ts": "// a\n", "b.ts": "// b\n" } });
    const ide = useIdeStore();
    await ide.open("a.ts");
    ide.text = "// a2\n";
    await ide.open("b.ts");
    ide.text = "// b2\n";
    expect(await ide.save("a.ts")).toBe(true);
    expect(server.state.files["a.ts"]).toBe("// a2\n");
    expect(server.state.files["b.ts"]).toBe("// b\n");
    expect(ide.dirtyPaths).toEqual(["b.ts"]);
    await ide.rename("b.ts", "c.ts");
    expect(ide.openPath).toBe("c.ts");
    expect(ide.text).toBe("// b2\n");
    await ide.remove("c.ts");
    expect(ide.tabs.map((t) => t.path)).toEqual(["a.ts"]);
    expect(ide.openPath).toBe("a.ts");
  });

  it("says why a nested file without its folder's index.ts is not a job, and Run refuses it", async () => {
    fakeServer({ files: { "reports/nightly.ts": "export async function handler() {}\n" } });
    const ide = useIdeStore();
    await ide.refresh();
    await ide.open("reports/nightly.ts");
    expect(ide.openRole).toMatchObject({ kind: "none" });
    const ready = await ide.prepareRun();
    expect(ready.ok).toBe(false);
    expect(!ready.ok && ready.error).toMatch(/reports\/index\.ts/);
  });
});
