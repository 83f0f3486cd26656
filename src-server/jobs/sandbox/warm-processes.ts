// Pre-started sandboxes, keyed by command line (permission set), each blocked on
// stdin until it gets a job. The default permission set is kept at `size`; any
// other set that was used recently keeps one process ready (at most `maxKeys`
// sets, least recently used dropped first). Replacements start in the background, a
// replacement for a process just taken a little later (replenish's delayMs).
import type { SandboxProcess } from "./process.ts";

export interface LaunchPlan {
  key: string;
  args: string[];
}

export interface WarmProcessesOptions {
  size: number;
  /** Kept at `size`; may change later (setDefault). */
  defaultPlan: LaunchPlan;
  maxKeys?: number;
  spawn(plan: LaunchPlan): SandboxProcess;
}

interface Slot {
  plan: LaunchPlan;
  idle: SandboxProcess[];
}

export class WarmProcesses {
  private readonly slots = new Map<string, Slot>();
  /** Replenishes waiting to run, by plan key. */
  private readonly pending = new Map<string, { plan: LaunchPlan; cancel(): void }>();
  private closed = false;

  private defaultKey: string;

  constructor(private readonly options: WarmProcessesOptions) {
    this.defaultKey = options.defaultPlan.key;
  }

  /** A new default permission set (its command line changed): the old one's idle processes go. */
  setDefault(plan: LaunchPlan): void {
    if (plan.key === this.defaultKey) return;
    const old = this.slots.get(this.defaultKey);
    this.defaultKey = plan.key;
    if (old) {
      this.slots.delete(old.plan.key);
      for (const process of old.idle) process.kill();
    }
    this.replenish(plan);
  }

  /** A ready process for this plan, or undefined (the caller then starts one cold). */
  take(plan: LaunchPlan): SandboxProcess | undefined {
    const slot = this.slots.get(plan.key);
    if (!slot) return undefined;
    this.touch(slot);
    while (slot.idle.length > 0) {
      const process = slot.idle.shift() as SandboxProcess;
      if (process.alive) return process;
    }
    return undefined;
  }

  /**
   * Starts, in the background, what the plan's slot is missing: on the next turn, or
   * `delayMs` later (a replacement for a process just taken: see index.ts), unless
   * hurry() comes first.
   */
  replenish(plan: LaunchPlan, options: { delayMs?: number } = {}): void {
    if (this.closed || this.target(plan.key) === 0 || this.pending.has(plan.key)) return;
    const delayMs = options.delayMs ?? 0;
    const fill = () => this.fillPending(plan);
    let cancel: () => void;
    if (delayMs > 0) {
      const timer = setTimeout(fill, delayMs).unref();
      cancel = () => clearTimeout(timer);
    } else {
      const immediate = setImmediate(fill);
      cancel = () => clearImmediate(immediate);
    }
    this.pending.set(plan.key, { plan, cancel });
  }

  /** A delayed replenish of this plan's slot happens now (the job it waited for is over). */
  hurry(key: string): void {
    const pending = this.pending.get(key);
    if (!pending) return;
    pending.cancel();
    this.fillPending(pending.plan);
  }

  idleCount(key: string): number {
    return this.slots.get(key)?.idle.filter((process) => process.alive).length ?? 0;
  }

  /** Kills every idle process and resolves once they have all exited. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.pending.values()) pending.cancel();
    this.pending.clear();
    const all = [...this.slots.values()].flatMap((slot) => slot.idle);
    this.slots.clear();
    for (const process of all) process.kill();
    await Promise.all(all.map((process) => process.exited));
  }

  private fillPending(plan: LaunchPlan): void {
    this.pending.delete(plan.key);
    this.fill(plan);
  }

  private target(key: string): number {
    const size = Math.max(0, Math.floor(this.options.size));
    return key === this.defaultKey ? size : Math.min(size, 1);
  }

  private fill(plan: LaunchPlan): void {
    if (this.closed) return;
    let slot = this.slots.get(plan.key);
    if (!slot) {
      slot = { plan, idle: [] };
      this.slots.set(plan.key, slot);
      this.evict();
    }
    slot.idle = slot.idle.filter((process) => process.alive);
    while (slot.idle.length < this.target(plan.key)) {
      const process = this.options.spawn(plan);
      slot.idle.push(process);
      void process.exited.then(() => this.forget(plan.key, process));
    }
  }

  private forget(key: string, process: SandboxProcess): void {
    const slot = this.slots.get(key);
    if (slot) slot.idle = slot.idle.filter((candidate) => candidate !== process);
  }

  /** Map order is recency order: re-insert on use, drop from the front. */
  private touch(slot: Slot): void {
    this.slots.delete(slot.plan.key);
    this.slots.set(slot.plan.key, slot);
  }

  private evict(): void {
    const maxKeys = this.options.maxKeys ?? 4;
    for (const [key, slot] of this.slots) {
      if (this.slots.size <= maxKeys) return;
      if (key === this.defaultKey) continue;
      this.slots.delete(key);
      for (const process of slot.idle) process.kill();
    }
  }
}
