// The bridge the page sees as window.fluxbaseDesktop: the server URL (handed over by the main
// process as a command-line switch) and the typed native actions of ipc-contract.ts. Nothing
// of Node or Electron, and never raw ipcRenderer, reaches the page.
import { contextBridge, ipcRenderer } from "electron";
import { BRIDGE_NAME, createDesktopBridge } from "./ipc-contract.ts";

contextBridge.exposeInMainWorld(
  BRIDGE_NAME,
  createDesktopBridge({
    invoke: (channel, ...args) => ipcRenderer.invoke(channel, ...args),
    argv: process.argv,
    platform: process.platform,
  }),
);
