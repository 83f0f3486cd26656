// Is the server reachable? Every request of the app's client goes through `watchedFetch`:
// a network failure marks the app offline (the shell shows "reconnecting" and disables
// actions), and a poll of /health brings it back. Each return bumps `epoch`, which views
// watch to reload what they missed.
import { reactive } from "vue";

export const connection = reactive({ online: true, epoch: 0, since: 0 });

let poll: ReturnType<typeof setTimeout> | undefined;
let healthUrl = "";
let nativeFetch: typeof fetch = (input, init) => fetch(input, init);

export function markOnline(): void {
  if (poll) clearTimeout(poll);
  poll = undefined;
  if (connection.online) return;
  connection.online = true;
  connection.epoch += 1;
}

export function markOffline(): void {
  if (!connection.online) return;
  connection.online = false;
  connection.since = Date.now();
  schedulePoll(500);
}

function schedulePoll(ms: number): void {
  if (poll || !healthUrl) return;
  poll = setTimeout(() => {
    poll = undefined;
    nativeFetch(healthUrl, { cache: "no-store" })
      .then((res) => (res.ok ? markOnline() : schedulePoll(1000)))
      .catch(() => schedulePoll(1000));
  }, ms);
}

/** A fetch for the SDK client that reports reachability. */
export function watchedFetch(serverUrl: string, inner: typeof fetch = nativeFetch) {
  healthUrl = new URL("/health", serverUrl).toString();
  nativeFetch = inner;
  return async (input: string, init: RequestInit): Promise<Response> => {
    try {
      const res = await inner(input, init);
      markOnline();
      return res;
    } catch (err) {
      // An abort is the caller's choice, not an outage.
      if (!(err instanceof DOMException && err.name === "AbortError")) markOffline();
      throw err;
    }
  };
}
