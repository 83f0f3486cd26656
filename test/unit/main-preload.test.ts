// The preload's whole surface: what window.fluxbaseDesktop holds, and that each method is a
// typed invoke on its contract channel (never raw ipcRenderer).
import { describe, expect, it, vi } from "vitest";
import { contextBridge, ipcRenderer } from "./main-fake-electron.ts";
import { desktopChannels, SERVER_URL_SWITCH } from "../../src-main/ipc-contract.ts";

vi.mock("electron", () => import("./main-fake-electron.ts"));

describe("preload", () => {
  it("exposes only the server URL, the platform and the contract's methods", async () => {
    process.argv.push(`${SERVER_URL_SWITCH}http://127.0.0.1:8080`);
    try {
      await import("../../src-main/preload.ts");
    } finally {
      process.argv.pop();
    }
    expect(contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    const [name, bridge] = contextBridge.exposeInMainWorld.mock.calls[0] as [
      string,
      Record<string, unknown>,
    ];
    expect(name).toBe("fluxbaseDesktop");
    expect(Object.keys(bridge).sort()).toMatchInlineSnapshot(`
      [
        "chooseJobsFolder",
        "getLoginCode",
        "openExternal",
        "platform",
        "revealFile",
        "serverUrl",
      ]
    `);
    expect(bridge.serverUrl).toBe("http://127.0.0.1:8080");
    for (const value of Object.values(bridge))
      expect(["string", "function"]).toContain(typeof value);

    await (bridge.revealFile as (p: string) => Promise<void>)("/tmp/a.log");
    await (bridge.getLoginCode as () => Promise<string>)();
    expect(ipcRenderer.invoke.mock.calls).toEqual([
      [desktopChannels.revealFile, "/tmp/a.log"],
      [desktopChannels.getLoginCode],
    ]);
  });
});
