// The API view in a real browser: the /docs reference loads inside the app, lists this server,
// and "Try it out" calls it signed in as the user who opened it, with no token typed in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PASSWORD_ADMIN, startUiRig, type UiRig } from "./harness.ts";

let rig: UiRig;

beforeAll(async () => {
  rig = await startUiRig();
});
afterAll(async () => {
  await rig?.stop();
});

describe("API view", () => {
  it("runs a documented route from the reference as the signed-in user", async () => {
    const { page, t } = rig;
    await rig.signInWithPassword();
    await page.goto(`${t.url}/#/api`);
    const docs = page.frameLocator('[data-testid="api-reference"]');
    const operation = docs
      .locator(".opblock-get")
      .filter({ has: docs.locator('[data-path="/api/v1/auth/user"]') });
    // swagger-ui renders the whole document (over a hundred operations) before this shows.
    await operation.locator(".opblock-summary").waitFor({ timeout: 60_000 });
    await operation.locator(".opblock-summary").click();
    // Pre-authorized: the lock of this operation shows it has credentials, nobody typed any.
    await operation.getByRole("button", { name: "authorization button locked" }).waitFor();
    const execute = operation.getByRole("button", { name: "Execute" });
    const tryItOut = operation.getByRole("button", { name: "Try it out" });
    if (await tryItOut.isVisible()) await tryItOut.click();
    await execute.click();
    const response = operation.locator(".live-responses-table .response").first();
    await response.locator(".response-col_status").getByText("200").waitFor();
    expect(await response.locator(".response-col_description").innerText()).toContain(
      PASSWORD_ADMIN.email,
    );
    // The request went to this server (the page's own origin), not to a URL of the document's.
    expect(await operation.locator(".request-url pre").innerText()).toBe(
      `${t.url}/api/v1/auth/user`,
    );
  });
});
