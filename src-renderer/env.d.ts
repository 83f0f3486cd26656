/// <reference types="vite/client" />

/** What the desktop preload hands the page; absent when the UI runs in a plain browser. */
interface FluxbaseDesktop {
  serverUrl: string;
  platform: string;
  /** The one-time UI sign-in code of the local server (null once used or absent). */
  getLoginCode(): Promise<string | null>;
  chooseJobsFolder(): Promise<string | null>;
  revealFile(path: string): Promise<void>;
  openExternal(url: string): Promise<boolean>;
}

interface Window {
  fluxbaseDesktop?: FluxbaseDesktop;
}
