// Signing in: the one-time link works once; without it the page offers email and password.
// Each test starts on a page of its own without a session, so any order works.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startUiRig, type UiRig } from "./harness.ts";

let rig: UiRig;

beforeAll(async () => {
  rig = await startUiRig();
});
beforeEach(async () => {
  await rig.freshPage();
});
afterAll(async () => {
  await rig?.stop();
});

describe("sign-in", () => {
  it("shows the sign-in form to a visitor without a session", async () => {
    const { page, t } = rig;
    await page.goto(`${t.url}/#/runs`);
    await page.waitForURL(/#\/login/);
    await page.getByRole("button", { name: "Sign in" }).waitFor();
    await rig.screenshot("login.png");
  });

  it("signs in as the UI admin with the one-time link, which then stops working", async () => {
    const { page, t } = rig;
    await rig.signIn();
    await page.getByText("admin@fluxbase.local").waitFor();
    const again = await fetch(`${t.url}/api/v1/auth/ui-login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ code: t.stack.uiLoginCode }),
    });
    expect(again.status).toBe(401);
  });

  it("keeps the session across a reload", async () => {
    const { page, t } = rig;
    await rig.signInWithPassword();
    await page.goto(`${t.url}/#/workers`);
    await page.reload();
    await page.getByTestId("workers-table").waitFor();
    expect(page.url()).toMatch(/#\/workers/);
  });

  it("signs in with email and password", async () => {
    const { page, t } = rig;
    const { error } = await t.service.admin.users.create({
      email: "ops@example.com",
      password: "secret-pass",
      role: "admin",
    });
    expect(error).toBeNull();
    await rig.signInWithPassword();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/#\/login/);
    await page.getByLabel("Email").fill("ops@example.com");
    await page.getByLabel("Password").fill("secret-pass");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(/#\/runs/);
    await page.getByText("ops@example.com").waitFor();
  });
});
