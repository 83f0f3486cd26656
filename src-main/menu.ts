// The application menu, as a template built from named actions (tested without Electron).
import type { MenuItemConstructorOptions } from "electron";

export interface MenuActions {
  openJobsFolder(): void;
  chooseJobsFolder(): void;
  exportJobs(): void;
  openSettings(): void;
  quit(): void;
}

export function buildMenuTemplate(
  actions: MenuActions,
  platform: NodeJS.Platform,
): MenuItemConstructorOptions[] {
  const mac = platform === "darwin";
  const appMenu: MenuItemConstructorOptions[] = mac
    ? [
        {
          label: "Fluxbase Local",
          submenu: [{ role: "about" }, { type: "separator" }, { role: "hide" }, { role: "quit" }],
        },
      ]
    : [];
  return [
    ...appMenu,
    {
      label: "File",
      submenu: [
        {
          label: "Open Jobs Folder",
          accelerator: "CmdOrCtrl+Shift+O",
          click: () => actions.openJobsFolder(),
        },
        { label: "Choose Jobs Folder…", click: () => actions.chooseJobsFolder() },
        {
          label: "Export Jobs…",
          accelerator: "CmdOrCtrl+Shift+E",
          click: () => actions.exportJobs(),
        },
        { type: "separator" },
        { label: "Settings…", accelerator: "CmdOrCtrl+,", click: () => actions.openSettings() },
        { type: "separator" },
        {
          label: mac ? "Quit Fluxbase Local" : "Quit",
          accelerator: "CmdOrCtrl+Q",
          click: () => actions.quit(),
        },
      ],
    },
    { role: "editMenu" },
    {
      label: "View",
      submenu: [
        { role: "reload" },
        { role: "forceReload" },
        { role: "toggleDevTools" },
        { type: "separator" },
        { role: "resetZoom" },
        { role: "zoomIn" },
        { role: "zoomOut" },
        { type: "separator" },
        { role: "togglefullscreen" },
      ],
    },
    { role: "windowMenu" },
  ];
}
