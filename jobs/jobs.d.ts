// What a job handler sees in Fluxbase Local (and on a Fluxbase server): reference this
// file from a job with `/// <reference path="./jobs.d.ts" />` for editor help.
//
//   export async function handler(req: Request, fluxbase: FluxbaseClient,
//                                 fluxbaseService: FluxbaseClient, job: JobUtils) { ... }
//
// The handler's `job`, its context, `secrets` and `Fluxbase` are declared once in
// src-shared/job-handler.d.ts (the app's code editor shows the same file); this one adds
// the SDK's client types.
/// <reference path="../src-shared/job-handler.d.ts" />
import type {
  FluxbaseClient as SdkFluxbaseClient,
  createClient as sdkCreateClient,
} from "../src-sdk/index.ts";

declare global {
  /** The Fluxbase SDK client handed to a handler. */
  type FluxbaseClient = SdkFluxbaseClient;

  /** The SDK's createClient, as upstream's wrapper provides it. */
  const createClient: typeof sdkCreateClient;
}

export {};
