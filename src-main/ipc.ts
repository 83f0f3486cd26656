// Registers the main-process side of the DesktopService contract. Only the app's own page
// (the stack's origin) may call it: a frame from anywhere else gets an error.
import type { IpcMain, IpcMainInvokeEvent } from "electron";
import { desktopChannels, desktopMethods, type DesktopService } from "./ipc-contract.ts";
import { isSameOrigin } from "./window.ts";

export interface RegisterDesktopServiceOptions {
  ipcMain: Pick<IpcMain, "handle" | "removeHandler">;
  service: DesktopService;
  /** The origin allowed to call (the stack's URL); read per call, it changes on restart. */
  allowedUrl: () => string | undefined;
}

/** Returns a function that removes the handlers again. */
export function registerDesktopService(options: RegisterDesktopServiceOptions): () => void {
  const { ipcMain, service } = options;
  for (const method of desktopMethods) {
    ipcMain.handle(desktopChannels[method], (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      const allowed = options.allowedUrl();
      const from = event.senderFrame?.url ?? "";
      if (!allowed || !isSameOrigin(from, allowed)) {
        throw new Error(`${desktopChannels[method]} refused for ${from || "an unknown frame"}`);
      }
      const fn = service[method] as (...a: unknown[]) => Promise<unknown>;
      return fn(...args);
    });
  }
  return () => {
    for (const method of desktopMethods) ipcMain.removeHandler(desktopChannels[method]);
  };
}
