// The SDK's settings (secrets) and admin users clients against the real server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src-sdk/index.ts";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let t: TestStack;
beforeAll(async () => {
  t = await startTestStack({ jobsConfig: { embeddedWorkerCount: 0 } });
});
afterAll(async () => {
  await t?.stop();
});

describe("client.settings and client.admin.settings", () => {
  it("stores system and user secrets, lists metadata only, and reveals system values to admins", async () => {
    const set = await t.service.admin.settings.setSecret("stripe_api_key", "sk_test_abc123", {
      description: "Stripe",
    });
    expect(set.error).toBeNull();
    expect(set.data).toMatchObject({ key: "stripe_api_key", description: "Stripe", version: 1 });
    const { data: list } = await t.service.admin.settings.listSecrets();
    expect(list!.map((s) => s.key)).toContain("stripe_api_key");
    expect(JSON.stringify(list)).not.toContain("sk_test_abc123");
    expect((await t.service.admin.settings.revealSecret("stripe_api_key")).data).toBe(
      "sk_test_abc123",
    );
    const updated = await t.service.admin.settings.updateSecret("stripe_api_key", {
      value: "sk_test_def456",
    });
    expect(updated.data!.version).toBe(2);

    const ann = await t.signUp("ann@example.com");
    expect((await ann.settings.setSecret("stripe_api_key", "ann-own-key")).error).toBeNull();
    const { data: mine } = await ann.settings.listSecrets();
    expect(mine!.map((s) => s.key)).toEqual(["stripe_api_key"]);
    expect((await ann.admin.settings.revealSecret("stripe_api_key")).error?.status).toBe(403);
    const bob = await t.signUp("bob@example.com");
    expect((await bob.settings.getSecret("stripe_api_key")).error?.status).toBe(404);
    expect((await ann.settings.deleteSecret("stripe_api_key")).error).toBeNull();
    expect((await t.service.admin.settings.deleteSecret("stripe_api_key")).error).toBeNull();
  });
});

describe("client.admin.users", () => {
  it("creates test users with roles, changes a role and removes a user", async () => {
    const { data: user, error } = await t.service.admin.users.create({
      email: "admin2@example.com",
      password: "long enough",
      role: "admin",
    });
    expect(error).toBeNull();
    expect(user!.role).toBe("admin");
    const signedIn = createClient(t.url, { apiKey: t.stack.keys.anonKey });
    await signedIn.auth.signIn({ email: "admin2@example.com", password: "long enough" });
    expect((await signedIn.admin.jobs.listWorkers()).error).toBeNull();

    const { data: demoted } = await t.service.admin.users.setRole(user!.id, "authenticated");
    expect(demoted!.role).toBe("authenticated");
    expect((await t.service.admin.users.setRole(user!.id, "service_role")).error?.status).toBe(400);
    const { data: users } = await t.service.admin.users.list();
    expect(users!.map((u) => u.email)).toContain("admin2@example.com");
    expect((await t.service.admin.users.delete(user!.id)).error).toBeNull();
    expect((await t.service.admin.users.delete(user!.id)).error?.status).toBe(404);
  });
});
