// One debug run's session: the server's CDP connection to the job's Deno process. It stops
// the job before its handler's first line, keeps breakpoints set on lines of the job's own
// TypeScript (mapped to the JavaScript V8 runs through the map the inspector is given; a
// bundled job's map names each of its files, and the job's own is the handler's), and turns
// pauses into a state the IDE polls: where it stopped, the call stack, scopes.
import { connectCdp, type CdpClient } from "./cdp-client.ts";
import { indexSourceMap, inlineSourceMap, type SourceMapIndex } from "./source-map.ts";
import { describeValue, type DebugVariable, type RemoteObject } from "./values.ts";

export interface BreakpointSpec {
  /** 1-based line of the job's file. */
  line: number;
  /** Pause only when this expression is truthy there. */
  condition?: string;
}

export interface BreakpointState extends BreakpointSpec {
  /** The line V8 resolved it to (the next line with code), once the job's code is loaded. */
  actualLine?: number;
}

export interface DebugScope {
  /** local, closure, block, module, script, global… */
  type: string;
  name?: string;
  objectId?: string;
  /** Fetched at once for the top frame's scopes but global; expand the rest on demand. */
  variables?: DebugVariable[];
}

export interface DebugFrame {
  name: string;
  /** 1-based line and column: in the job's file when inJob, else in `file` or `url`. */
  line: number;
  column: number;
  inJob: boolean;
  /** Another file of a bundled job (relative to the jobs folder), when the frame is there. */
  file?: string;
  url: string;
  scopes: DebugScope[];
}

/**
 * waiting: the job is queued or starting; running / paused: a debugger holds it; detached:
 * the debugger let go and the job goes on by itself; ended: the job's process is gone.
 */
export type DebugStatus = "waiting" | "running" | "paused" | "detached" | "ended";

export interface DebugState {
  jobId: string;
  status: DebugStatus;
  /** Grows with every change: poll with `after` to wait for the next one. */
  version: number;
  /** Why it paused: entry (before the handler's first line), breakpoint, step, pause, exception. */
  reason?: string;
  /** 1-based line of the job's file where it is paused (top frame in the job's code). */
  line?: number;
  /** Where it is paused when that is another file of a bundled job: its path and line. */
  file?: string;
  fileLine?: number;
  frames: DebugFrame[];
  breakpoints: BreakpointState[];
  /** The inspector's WebSocket URL (loopback), for an editor of your own. */
  inspectorUrl?: string;
  /** Why the session ended or detached, when it did not simply finish. */
  note?: string;
}

export type DebugCommand = "resume" | "stepOver" | "stepInto" | "stepOut" | "pause";

export const DEBUG_COMMANDS: readonly DebugCommand[] = [
  "resume",
  "stepOver",
  "stepInto",
  "stepOut",
  "pause",
];

/** The state's fields that only mean something while paused, cleared. */
function notPaused(): Partial<DebugState> {
  return { frames: [], line: undefined, file: undefined, fileLine: undefined, reason: undefined };
}

/** The global the sandbox entry puts the handler in before its debug stop (see src-runtime). */
const ENTRY_GLOBAL = "__fluxbaseDebugEntry";

interface CdpCallFrame {
  callFrameId: string;
  functionName: string;
  location: { scriptId: string; lineNumber: number; columnNumber?: number };
  url: string;
  scopeChain: Array<{ type: string; name?: string; object: RemoteObject }>;
}

interface CdpProperty {
  name: string;
  value?: RemoteObject;
  get?: RemoteObject;
}

export interface DebugSessionOptions {
  jobId: string;
  breakpoints?: BreakpointSpec[];
  /** An editor of the user's attaches to the inspector instead of this server (CLI). */
  external?: boolean;
  onError?(error: Error): void;
}

export class DebugSession {
  readonly jobId: string;
  readonly external: boolean;
  /** Set when the IDE last asked about this session (the debugger is still there). */
  lastSeen = Date.now();
  /** State polls waiting for a change right now: a debugger is there. */
  watchers = 0;
  private state: DebugState;
  private cdp: CdpClient | undefined;
  /** The job's module, its source map, and which of the map's sources is the job's file. */
  private jobScript: { id: string; map?: SourceMapIndex; source: number } | undefined;
  private cdpBreakpoints: string[] = [];
  private entryBreakpoint: string | undefined;
  private sentinelSeen = false;
  private callFrames: CdpCallFrame[] = [];
  private waiters = new Set<() => void>();
  private readonly onError: (error: Error) => void;

  constructor(options: DebugSessionOptions) {
    this.jobId = options.jobId;
    this.external = options.external ?? false;
    this.onError = options.onError ?? (() => {});
    this.state = {
      jobId: options.jobId,
      status: "waiting",
      version: 1,
      frames: [],
      breakpoints: (options.breakpoints ?? []).map((b) => ({ ...b })),
    };
  }

  snapshot(): DebugState {
    return structuredClone(this.state);
  }

  /** The job's timeouts stand still: a debugger is attached (or its process is starting). */
  get holding(): boolean {
    const { status } = this.state;
    return status === "waiting" || status === "running" || status === "paused";
  }

  get finished(): boolean {
    return this.state.status === "ended" || this.state.status === "detached";
  }

  /** Resolves at the next change after `version`, or after `timeoutMs`. */
  waitForChange(version: number, timeoutMs: number): Promise<void> {
    if (this.state.version > version) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref();
      this.waiters.add(done);
    });
  }

  /** The job's process is listening: connect, set up, and let it run to the entry stop. */
  async attach(inspectorUrl: string): Promise<void> {
    if (this.finished) return;
    this.update({ inspectorUrl });
    if (this.external) {
      this.update({ status: "running" });
      return;
    }
    try {
      this.cdp = await connectCdp({
        url: inspectorUrl,
        onEvent: (method, params) => void this.onEvent(method, params).catch(this.onError),
      });
    } catch (error) {
      this.update({ status: "ended", note: `cannot reach the inspector: ${String(error)}` });
      return;
    }
    void this.cdp.closed.then(() => {
      if (!this.finished) this.update({ status: "ended", ...notPaused() });
    });
    this.update({ status: "running" });
    await this.cdp.send("Runtime.enable");
    await this.cdp.send("Debugger.enable");
    await this.cdp.send("Runtime.runIfWaitingForDebugger");
  }

  async setBreakpoints(breakpoints: BreakpointSpec[]): Promise<DebugState> {
    this.state.breakpoints = breakpoints.map((b) => ({ ...b }));
    if (this.cdp && this.jobScript) await this.applyBreakpoints();
    this.update({});
    return this.snapshot();
  }

  async command(command: DebugCommand): Promise<void> {
    const cdp = this.requireCdp();
    if (command === "pause") {
      await cdp.send("Debugger.pause");
      return;
    }
    if (this.state.status !== "paused") throw new Error("the job is not paused");
    await cdp.send(`Debugger.${command}`);
  }

  /** Evaluates in a paused frame (default the top one), else in the job's global scope. */
  async evaluate(expression: string, frameIndex = 0): Promise<DebugVariable> {
    const cdp = this.requireCdp();
    const frame = this.state.status === "paused" ? this.callFrames[frameIndex] : undefined;
    const reply = frame
      ? await cdp.send<{ result: RemoteObject; exceptionDetails?: unknown }>(
          "Debugger.evaluateOnCallFrame",
          { callFrameId: frame.callFrameId, expression, generatePreview: true },
        )
      : await cdp.send<{ result: RemoteObject; exceptionDetails?: unknown }>("Runtime.evaluate", {
          expression,
          generatePreview: true,
          awaitPromise: false,
        });
    return { name: expression, ...describeValue(reply.result) };
  }

  async properties(objectId: string): Promise<DebugVariable[]> {
    const cdp = this.requireCdp();
    const reply = await cdp.send<{
      result: CdpProperty[];
      internalProperties?: CdpProperty[];
    }>("Runtime.getProperties", { objectId, ownProperties: true, generatePreview: true });
    const own = reply.result
      .filter((p) => p.value)
      .map((p) => ({ name: p.name, ...describeValue(p.value!) }));
    const internal = (reply.internalProperties ?? [])
      .filter((p) => p.value && p.name !== "[[FunctionLocation]]")
      .map((p) => ({ name: p.name, ...describeValue(p.value!) }));
    return [...own, ...internal].slice(0, 500);
  }

  /** The debugger lets go: breakpoints removed, the job resumed and left to run. */
  async detach(note = "the debugger detached"): Promise<void> {
    if (this.finished) return;
    const cdp = this.cdp;
    this.update({ status: "detached", ...notPaused(), note });
    if (!cdp) return;
    try {
      await cdp.send("Debugger.setBreakpointsActive", { active: false });
      await cdp.send("Debugger.resume").catch(() => undefined);
      await cdp.send("Debugger.disable").catch(() => undefined);
    } finally {
      cdp.close();
    }
  }

  /** The job's attempt is over: the session ends with it. */
  end(note?: string): void {
    if (this.state.status !== "ended") this.update({ status: "ended", ...notPaused(), note });
    this.cdp?.close();
  }

  private requireCdp(): CdpClient {
    if (!this.cdp || this.finished)
      throw new Error(
        this.external ? "an external debugger holds this job" : "no debugger attached",
      );
    return this.cdp;
  }

  private update(change: Partial<DebugState>): void {
    Object.assign(this.state, change);
    this.state.version += 1;
    for (const wake of [...this.waiters]) wake();
  }

  private async onEvent(method: string, params: Record<string, unknown>): Promise<void> {
    if (method === "Debugger.scriptParsed") return this.onScript(params);
    if (method === "Debugger.paused") return this.onPaused(params);
    if (method === "Debugger.resumed" && this.state.status === "paused") {
      this.callFrames = [];
      this.update({ status: "running", ...notPaused() });
    }
  }

  private onScript(params: Record<string, unknown>): void {
    const url = String(params.url ?? "");
    // The job's module is the one script imported from a blob: URL.
    if (!url.startsWith("blob:") || this.jobScript) return;
    let map: SourceMapIndex | undefined;
    try {
      const json = inlineSourceMap(params.sourceMapURL as string | undefined);
      if (json) map = indexSourceMap(json);
    } catch (error) {
      this.onError(error as Error);
    }
    // Until the handler says otherwise (prepareEntry), a bundle's entry is its last file.
    this.jobScript = {
      id: String(params.scriptId),
      map,
      source: Math.max(0, (map?.sources.length ?? 1) - 1),
    };
  }

  private async onPaused(params: Record<string, unknown>): Promise<void> {
    const cdp = this.cdp!;
    const frames = params.callFrames as CdpCallFrame[];
    const hit = (params.hitBreakpoints as string[] | undefined) ?? [];
    if (!this.sentinelSeen) {
      // The sandbox's own stop, after the job's module loaded and before its handler runs.
      this.sentinelSeen = true;
      await this.prepareEntry(frames[0]!);
      await cdp.send("Debugger.resume");
      return;
    }
    let reason = String(params.reason ?? "other");
    if (this.entryBreakpoint && hit.includes(this.entryBreakpoint)) {
      await cdp.send("Debugger.removeBreakpoint", { breakpointId: this.entryBreakpoint });
      this.entryBreakpoint = undefined;
      reason = "entry";
    } else if (hit.length > 0) reason = "breakpoint";
    else if (reason === "other") reason = "step";
    this.callFrames = frames;
    const described = await Promise.all(frames.map((f, i) => this.describeFrame(f, i === 0)));
    const top = described[0];
    this.update({
      status: "paused",
      reason,
      frames: described,
      line: top?.inJob ? top.line : undefined,
      file: top?.file,
      fileLine: top?.file ? top.line : undefined,
    });
  }

  private async prepareEntry(frame: CdpCallFrame): Promise<void> {
    const cdp = this.cdp!;
    const entry = await cdp.send<{ result: RemoteObject }>("Debugger.evaluateOnCallFrame", {
      callFrameId: frame.callFrameId,
      expression: `globalThis.${ENTRY_GLOBAL}`,
    });
    if (entry.result.objectId) {
      const props = await cdp.send<{ internalProperties?: CdpProperty[] }>(
        "Runtime.getProperties",
        { objectId: entry.result.objectId, ownProperties: true },
      );
      const location = props.internalProperties?.find((p) => p.name === "[[FunctionLocation]]")
        ?.value?.value;
      if (location) {
        this.findJobSource(
          location as { scriptId: string; lineNumber: number; columnNumber?: number },
        );
        const set = await cdp.send<{ breakpointId: string }>("Debugger.setBreakpoint", {
          location,
        });
        this.entryBreakpoint = set.breakpointId;
      }
    }
    await this.applyBreakpoints();
    // Stepping stays in the job's code: the sandbox, the SDK and Deno's own are skipped.
    await cdp.send("Debugger.setBlackboxPatterns", { patterns: ["^(?!blob:)"] });
  }

  private async applyBreakpoints(): Promise<void> {
    const cdp = this.cdp!;
    const script = this.jobScript;
    for (const id of this.cdpBreakpoints.splice(0))
      await cdp.send("Debugger.removeBreakpoint", { breakpointId: id }).catch(() => undefined);
    if (!script) return;
    for (const bp of this.state.breakpoints) {
      const position = this.generatedPosition(bp.line);
      bp.actualLine = undefined;
      if (!position) continue;
      try {
        const set = await cdp.send<{
          breakpointId: string;
          actualLocation: { lineNumber: number; columnNumber?: number };
        }>("Debugger.setBreakpoint", {
          location: {
            scriptId: script.id,
            lineNumber: position.line,
            columnNumber: position.column,
          },
          ...(bp.condition ? { condition: bp.condition } : {}),
        });
        this.cdpBreakpoints.push(set.breakpointId);
        bp.actualLine = this.sourcePosition(
          set.actualLocation.lineNumber,
          set.actualLocation.columnNumber ?? 0,
        ).line;
      } catch (error) {
        this.onError(error as Error);
      }
    }
  }

  /** The job's own file among a bundle's sources: the one its handler is written in. */
  private findJobSource(location: { scriptId: string; lineNumber: number; columnNumber?: number }) {
    const script = this.jobScript;
    if (!script?.map || location.scriptId !== script.id) return;
    const original = script.map.originalFor({
      line: location.lineNumber,
      column: location.columnNumber ?? 0,
    });
    if (original) script.source = original.source;
  }

  /** The generated position of a 1-based line of the job's file, or of the next line with code. */
  private generatedPosition(line: number): { line: number; column: number } | undefined {
    const script = this.jobScript;
    if (!script?.map) return { line: line - 1, column: 0 };
    for (let source = line - 1; source < line + 20; source++) {
      const found = script.map.generatedFor(source, script.source)[0];
      if (found) return found;
    }
    return undefined;
  }

  /**
   * 1-based line and column of a 0-based generated position in the job's script, with the
   * file it is in when that is not the job's own (another file of a bundle).
   */
  private sourcePosition(
    line: number,
    column: number,
  ): { line: number; column: number; file?: string } {
    const script = this.jobScript;
    const original = script?.map?.originalFor({ line, column });
    if (!original) return { line: line + 1, column: column + 1 };
    const file =
      original.source === script!.source ? undefined : script!.map!.sources[original.source];
    return { line: original.line + 1, column: original.column + 1, ...(file ? { file } : {}) };
  }

  private async describeFrame(frame: CdpCallFrame, withVariables: boolean): Promise<DebugFrame> {
    const inScript = frame.location.scriptId === this.jobScript?.id;
    const { lineNumber, columnNumber = 0 } = frame.location;
    const position: { line: number; column: number; file?: string } = inScript
      ? this.sourcePosition(lineNumber, columnNumber)
      : { line: lineNumber + 1, column: columnNumber + 1 };
    const inJob = inScript && position.file === undefined;
    const scopes: DebugScope[] = [];
    for (const scope of frame.scopeChain) {
      const entry: DebugScope = {
        type: scope.type,
        name: scope.name,
        objectId: scope.object.objectId,
      };
      if (withVariables && scope.type !== "global" && scope.object.objectId)
        entry.variables = await this.properties(scope.object.objectId).catch(() => []);
      scopes.push(entry);
    }
    return {
      name: frame.functionName || "(anonymous)",
      line: position.line,
      column: position.column,
      inJob,
      ...(position.file ? { file: position.file } : {}),
      url: inScript ? "" : frame.url,
      scopes,
    };
  }
}
