// A job's network policy, put together: the --deny-net list of its command line
// (net-policy.ts), the addresses of the host names it is allowed (named-hosts.ts), and,
// when jobs run as their own user, the system's rules for what Deno cannot deny
// (os-egress.ts). `prepare` does the slow part (lookups, rule changes) before the
// command line is built; it is undefined when there is nothing to wait for.
//
// The machine's addresses (os.networkInterfaces, a netlink round trip on the main thread)
// are read at most once per `machineTtlMs` (default 1 s), not for every job: an address
// the machine gains is denied to every job started from then on, within that second.
import type { JobRunSpec } from "../worker/runtime.ts";
import { createHostResolver, namesToResolve, type HostResolverOptions } from "./named-hosts.ts";
import {
  deniedNetTargets,
  machineNetwork,
  netExemptions,
  type MachineNetwork,
  type NetPolicyInput,
} from "./net-policy.ts";
import { createOsEgress, type OsEgress, type OsEgressLogger } from "./os-egress.ts";

export type NetSpec = Pick<JobRunSpec, "permissions" | "serverUrl">;

export interface NetPlannerOptions {
  /** Hosts every job may reach on top of those its function names. */
  allowedHosts?: readonly string[];
  /** The user jobs run as, when not the server's own: the system's rules hold its sockets. */
  sandboxUid?: number;
  /** Use the system's rules when jobs run as their own user on Linux (default true). */
  osEgressRules?: boolean;
  hostResolver?: HostResolverOptions;
  logger?: OsEgressLogger;
  /** For tests: the system's rules. */
  osEgress?: OsEgress;
  /** How long a reading of the machine's addresses and ports is used (default 1000 ms). */
  machineTtlMs?: number;
  /** For tests: reads the machine's addresses and ports (default: the system's). */
  machine?: () => MachineNetwork;
  /** For tests: the clock of `machineTtlMs`, in ms. */
  now?: () => number;
}

export interface NetPlanner {
  prepare(spec: NetSpec): Promise<void> | undefined;
  /** The --deny-net entries of a job with allow_net on. */
  deniedNet(spec: NetSpec): string[];
  close(): Promise<void>;
}

/** Deny lists kept at most, over all functions' allow lists (then they are worked out anew). */
const MAX_KEPT_LISTS = 256;

export function createNetPlanner(options: NetPlannerOptions): NetPlanner {
  const machine = readAtMostEvery(
    options.machineTtlMs ?? 1000,
    options.machine ?? machineNetwork(),
    options.now ?? (() => performance.now()),
  );
  const deniedLists = new Map<string, readonly string[]>();
  const resolver = createHostResolver(options.hostResolver);
  const osEgress =
    options.osEgress ??
    (options.sandboxUid !== undefined &&
    process.platform === "linux" &&
    options.osEgressRules !== false
      ? createOsEgress({ uid: options.sandboxUid, logger: options.logger })
      : undefined);
  // The system's rules hold at connect time: processes started meanwhile are covered too.
  void osEgress?.ready();
  let rulesReady = osEgress === undefined;

  const namedHosts = (spec: NetSpec) => [
    ...(options.allowedHosts ?? []),
    ...(spec.permissions.allowNetHosts ?? []),
  ];
  const namesOf = (spec: NetSpec) =>
    namesToResolve([new URL(spec.serverUrl).host, ...namedHosts(spec)]);
  const policyInput = (spec: NetSpec): NetPolicyInput => ({
    apiUrl: spec.serverUrl,
    allowedHosts: namedHosts(spec),
    resolvedNames: resolver.addresses(namesOf(spec)),
    sharedExemptions: osEgress?.exempted() ?? [],
    ...machine(),
  });

  return {
    prepare(spec) {
      const letThrough = () => {
        if (!osEgress) return undefined;
        const exemptions = netExemptions({
          apiUrl: spec.serverUrl,
          allowedHosts: namedHosts(spec),
          resolvedNames: resolver.addresses(namesOf(spec)),
          listeningPorts: [],
          localAddresses: [],
        });
        return osEgress.covers(exemptions) ? undefined : osEgress.allow(exemptions);
      };
      const names = namesOf(spec);
      if (rulesReady && resolver.fresh(names)) return letThrough();
      return (async () => {
        if (osEgress) await osEgress.ready();
        rulesReady = true;
        await resolver.resolve(names);
        await letThrough();
      })();
    },
    deniedNet(spec) {
      // Its inputs are read for every job (an address the machine gains is denied from
      // then on); the list, which takes far longer to work out, is kept per input.
      const input = policyInput(spec);
      const key = JSON.stringify([
        input.apiUrl,
        input.allowedHosts,
        [...(input.resolvedNames ?? new Map()).entries()],
        input.sharedExemptions,
        input.listeningPorts,
        input.localAddresses,
      ]);
      let denied = deniedLists.get(key);
      if (!denied) {
        denied = deniedNetTargets(input);
        if (deniedLists.size >= MAX_KEPT_LISTS) deniedLists.clear();
        deniedLists.set(key, denied);
      }
      return [...denied];
    },
    close: async () => {
      await osEgress?.close();
    },
  };
}

/** `read`'s last answer while younger than `ttlMs`, else a new one. */
function readAtMostEvery<T>(ttlMs: number, read: () => T, now: () => number): () => T {
  let last: { value: T; at: number } | undefined;
  return () => {
    const t = now();
    if (!last || t - last.at >= ttlMs) last = { value: read(), at: t };
    return last.value;
  };
}
