// The bridge the page sees as window.fluxbaseDesktop: the server URL (handed over by the
// main process as a command-line switch) and nothing of Node or Electron.
import { contextBridge } from "electron";
import { SERVER_URL_SWITCH } from "./config.ts";

const serverUrl =
  process.argv.find((arg) => arg.startsWith(SERVER_URL_SWITCH))?.slice(SERVER_URL_SWITCH.length) ??
  "";

contextBridge.exposeInMainWorld("fluxbaseDesktop", {
  serverUrl,
  platform: process.platform,
});
