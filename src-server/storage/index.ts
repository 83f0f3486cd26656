// Object storage: buckets and objects with RLS-checked metadata in PostgreSQL (migration
// 0008) and the bytes under <dataDir>/storage, served at /api/v1/storage (compatibility §7.8).
import path from "node:path";
import type { CallerResolver } from "../auth/caller.ts";
import type { Db } from "../db/connections.ts";
import type { Router } from "../http/router.ts";
import type { JobEffects } from "../ledger/job-effects.ts";
import { addStorageRoutes } from "./routes.ts";
import { createStorageStore, type StorageStore } from "./store.ts";

export {
  MAX_OBJECT_BYTES,
  createStorageStore,
  type Bucket,
  type StorageStore,
  type StoredObject,
} from "./store.ts";
export { addStorageRoutes } from "./routes.ts";

export interface StorageOptions {
  router: Router;
  db: Db;
  callers: CallerResolver;
  dataDir: string;
  jwtSecret: string;
  /** The server's public URL, read when a URL is signed. */
  publicUrl: () => string;
  effects?: JobEffects;
}

/** Creates the store under <dataDir>/storage and registers its routes. */
export function addStorage(options: StorageOptions): StorageStore {
  const store = createStorageStore({ db: options.db, root: path.join(options.dataDir, "storage") });
  addStorageRoutes({ ...options, store });
  return store;
}
