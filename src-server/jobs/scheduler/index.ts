// The cron scheduler (compatibility §6.7): plan.ts (pure planning), leader.ts (one leader per
// database), fire.ts (schedule → job), scheduler.ts (the leader's tick loop).
export {
  createScheduler,
  type Scheduler,
  type SchedulerClock,
  type SchedulerOptions,
} from "./scheduler.ts";
export { fireManual } from "./fire.ts";
export { nextRuns, splitSchedule } from "./plan.ts";
