// What the browser UI needs before anyone signs in: GET /api/v1/ui/config (the anon key and
// the server version, both public anyway) and POST /api/v1/auth/ui-login (one-time code ->
// session, the link `serve` prints).
import type { ApiKeys } from "../../auth/keys.ts";
import type { UiLogin } from "../../auth/ui-login.ts";
import { requireObject } from "../job-validation.ts";
import type { Router } from "../router.ts";
import { VERSION } from "./health.ts";

export interface UiConfigResponse {
  anon_key: string;
  version: string;
}

export function addUiRoutes(options: { router: Router; keys: ApiKeys; uiLogin: UiLogin }): void {
  const { router, keys, uiLogin } = options;
  router.add("GET", "/api/v1/ui/config", [], async (): Promise<UiConfigResponse> => ({
    anon_key: keys.anonKey,
    version: VERSION,
  }));
  router.add("POST", "/api/v1/auth/ui-login", [], async (req) => {
    const body = requireObject(await req.json());
    return uiLogin.redeem(body.code);
  });
}
