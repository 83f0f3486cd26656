// The handler's `fluxbase` and `fluxbaseService` clients, each built on its first use:
// most jobs touch one of them or neither, and building an SDK client (session, auth,
// storage, realtime and admin sub-clients) is a good share of a short job's time in Deno.
// The stand-in forwards every operation to the client once built, so a job sees a
// FluxbaseClient (instanceof, methods, properties) acting with its own job's token.
import { FluxbaseClient } from "../src-sdk/index.ts";

const reflect = Reflect;
const ProxyClass = Proxy;
const createObject = Object.create;
const prototype = FluxbaseClient.prototype;

export function lazyClient(build: () => FluxbaseClient): FluxbaseClient {
  let client: FluxbaseClient | null = null;
  const real = () => (client ??= build());
  return new ProxyClass(createObject(prototype) as FluxbaseClient, {
    get: (_target, key) => reflect.get(real(), key),
    set: (_target, key, value) => reflect.set(real(), key, value),
    has: (_target, key) => reflect.has(real(), key),
    ownKeys: () => reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_target, key) => reflect.getOwnPropertyDescriptor(real(), key),
    defineProperty: (_target, key, descriptor) => reflect.defineProperty(real(), key, descriptor),
    deleteProperty: (_target, key) => reflect.deleteProperty(real(), key),
  });
}
