// Public entry of the realtime hub (WebSocket /realtime, compatibility §3).
export {
  createRealtimeHub,
  defaultRealtimeLimits,
  REALTIME_PATH,
  type RealtimeHub,
  type RealtimeHubOptions,
  type RealtimeLimits,
  type RealtimeStats,
} from "./hub.ts";
export { parseFilter, matchesFilter, FilterError, type Filter } from "./filters.ts";
export { mayReadJob, mayReadRow, isRealtimeTable, type Viewer } from "./visibility.ts";
