// Every route's schemas, by `METHOD /pattern`: request checks and the OpenAPI document.
import type { RouteSchemas } from "../route-schema.ts";
import { adminDebugSchemas } from "./admin-debug.ts";
import { adminJobSchemas } from "./admin-jobs.ts";
import { adminRealtimeSchemas } from "./admin-realtime.ts";
import { authSchemas } from "./auth.ts";
import { dataSchemas } from "./data.ts";
import { jobFileSchemas } from "./job-files.ts";
import { jobSchemas } from "./jobs.ts";
import { replaySchemas } from "./replay.ts";
import { secretSchemas } from "./secrets.ts";
import { storageSchemas } from "./storage.ts";

export const routeSchemas: RouteSchemas = {
  ...jobSchemas,
  ...adminJobSchemas,
  ...jobFileSchemas,
  ...authSchemas,
  ...dataSchemas,
  ...secretSchemas,
  ...storageSchemas,
  ...replaySchemas,
  ...adminRealtimeSchemas,
  ...adminDebugSchemas,
};
