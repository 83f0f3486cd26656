/// <reference types="vite/client" />

/** What the desktop preload hands the page; absent when the UI runs in a plain browser. */
interface FluxbaseDesktop {
  serverUrl: string;
  platform: string;
}

interface Window {
  fluxbaseDesktop?: FluxbaseDesktop;
}
