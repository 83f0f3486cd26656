// The addresses host NAMES in an allow list resolve to. Deno checks the address a name
// resolved to against --deny-net, so a name the function lists (`db.internal:5432`)
// that resolves to a private address would stay denied; its addresses are exempted
// instead, on the listed port. They are looked up before the job's command line is
// built (every address, IPv4 and IPv6, with a short timeout) and kept briefly. A name
// that does not resolve in time exempts nothing: the job then gets the stricter policy.
import { lookup as dnsLookup } from "node:dns/promises";
import { isIPv4, isIPv6 } from "node:net";

export type LookupAll = (name: string) => Promise<string[]>;

export interface HostResolverOptions {
  /** Every address of a name (default: the system resolver, as Deno uses it). */
  lookup?: LookupAll;
  /** How long one lookup may take (default 2000 ms). */
  timeoutMs?: number;
  /** How long an answer (or a failure: no addresses) is kept (default 30 000 ms). */
  ttlMs?: number;
  now?: () => number;
}

export interface HostResolver {
  /** Whether each name has an answer younger than the TTL. */
  fresh(names: readonly string[]): boolean;
  /** Looks the names up (those not fresh); never rejects. */
  resolve(names: readonly string[]): Promise<void>;
  /** The kept answers of these names (a name without one maps to nothing). */
  addresses(names: readonly string[]): Map<string, string[]>;
}

const systemLookup: LookupAll = async (name) =>
  (await dnsLookup(name, { all: true, verbatim: true })).map((entry) => entry.address);

/** The host part of an allow-net entry (`host`, `host:port`, `[v6]:port`), lower-cased. */
export function entryHost(entry: string): string {
  const v6 = /^\[([^\]]+)\]/.exec(entry);
  return (v6 ? (v6[1] as string) : (entry.split(":")[0] as string)).toLowerCase();
}

/** The entries' hosts that are names to look up: not IP literals, not `localhost`. */
export function namesToResolve(entries: readonly string[]): string[] {
  const names = new Set<string>();
  for (const entry of entries) {
    const host = entryHost(entry).replace(/\.$/, "");
    if (host === "" || host === "localhost" || isIPv4(host) || isIPv6(host)) continue;
    names.add(host);
  }
  return [...names].sort();
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`lookup timed out after ${ms} ms`)), ms);
    timer.unref?.();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export function createHostResolver(options: HostResolverOptions = {}): HostResolver {
  const lookup = options.lookup ?? systemLookup;
  const timeoutMs = options.timeoutMs ?? 2000;
  const ttlMs = options.ttlMs ?? 30_000;
  const now = options.now ?? Date.now;
  const answers = new Map<string, { addresses: string[]; at: number }>();
  const inFlight = new Map<string, Promise<void>>();

  const isFresh = (name: string) => {
    const answer = answers.get(name);
    return answer !== undefined && now() - answer.at < ttlMs;
  };
  const resolveOne = (name: string) => {
    const running = inFlight.get(name);
    if (running) return running;
    const task = withTimeout(lookup(name), timeoutMs)
      .then(
        (addresses) => addresses.map((a) => a.replace(/%.*$/, "").toLowerCase()),
        () => [] as string[],
      )
      .then((addresses) => {
        answers.set(name, { addresses: [...new Set(addresses)], at: now() });
      })
      .finally(() => inFlight.delete(name));
    inFlight.set(name, task);
    return task;
  };

  return {
    fresh: (names) => names.every(isFresh),
    async resolve(names) {
      await Promise.all(names.filter((name) => !isFresh(name)).map(resolveOne));
    },
    addresses(names) {
      const out = new Map<string, string[]>();
      for (const name of names) {
        const answer = answers.get(name);
        if (answer) out.set(name, answer.addresses);
      }
      return out;
    },
  };
}
