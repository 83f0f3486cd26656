// Deno keeps localStorage and the Cache API on disk under one location folder per main
// module, and every sandbox runs the same main module: whatever one user's job stored
// there, another user's job would read. So both are turned off before any job code
// runs: reading either global throws a SecurityError that says why, as a browser does
// for storage it will not give a page (the server also makes that folder impossible to
// create, so the storage stays off even for code that reaches Deno's internals).
// sessionStorage is kept: it lives in this process's memory only, and a process only
// ever runs jobs of one function for one user.

const defineProperty = Object.defineProperty;

const REASON =
  "is turned off in Fluxbase jobs: it would be shared with other users' jobs. Keep state in the database or in storage";

function turnOff(name: "localStorage" | "caches"): void {
  defineProperty(globalThis, name, {
    configurable: false,
    enumerable: true,
    get() {
      throw new DOMException(`${name} ${REASON}.`, "SecurityError");
    },
  });
}

/** Call once, before any job code runs. */
export function turnOffSharedStorage(): void {
  turnOff("localStorage");
  turnOff("caches");
}
