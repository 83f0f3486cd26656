// Per-job environment in a reused process: the job's FLUXBASE_* variables are set
// afresh, those of the previous job that this one does not have are removed, and
// (when allow_env lets us see everything) variables a job added or changed are put
// back to what the process was spawned with.

const env = Deno.env;
const setEnv = env.set.bind(env);
const deleteEnv = env.delete.bind(env);
const toObject = env.toObject.bind(env);
const hasOwn = Object.hasOwn;
const entries = Object.entries;
const keys = Object.keys;

function attempt(action: () => void): void {
  try {
    action();
  } catch {
    // Not permitted (allow_env limited to the job's own names): nothing to undo there.
  }
}

/** Call once before any job code runs: the baseline is the spawn environment. */
export function createEnvReset(): (next: Record<string, string>) => void {
  let baseline: Record<string, string> | null = null;
  try {
    baseline = toObject();
  } catch {
    baseline = null;
  }
  let applied: string[] = [];
  return (next) => {
    // One read of the whole environment (each read is a call into Deno); it also spares
    // setting the variables that already hold the job's value.
    const now = baseline ? toObject() : null;
    if (baseline && now) {
      for (const name of keys(now)) {
        if (!hasOwn(next, name) && !hasOwn(baseline, name)) attempt(() => deleteEnv(name));
      }
      for (const [name, value] of entries(baseline)) {
        if (!hasOwn(next, name) && now[name] !== value) attempt(() => setEnv(name, value));
      }
    }
    for (const name of applied) {
      if (!hasOwn(next, name)) attempt(() => deleteEnv(name));
    }
    for (const [name, value] of entries(next)) {
      if (now === null || now[name] !== value) setEnv(name, value);
    }
    applied = keys(next);
  };
}
