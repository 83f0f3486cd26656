// Admin user management as upstream's SDK calls it: `admin.updateUserRole(id, role)` sends
// PATCH /api/v1/admin/users/:id/role?type=app with {role} and reads the user back.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let t: TestStack;

beforeAll(async () => {
  t = await startTestStack();
});
afterAll(async () => {
  await t?.stop();
});

function patchRole(id: string, body: unknown, query = "?type=app", key = t.stack.keys.serviceKey) {
  return fetch(`${t.url}/api/v1/admin/users/${id}/role${query}`, {
    method: "PATCH",
    headers: { apikey: key, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("PATCH /api/v1/admin/users/:id/role", () => {
  it("changes the role and answers the user", async () => {
    const user = await t.signUp("role-change@example.com");
    const id = (await user.auth.getSession()).data!.session!.user!.id;
    const res = await patchRole(id, { role: "editor" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id,
      role: "editor",
      email: "role-change@example.com",
    });
    expect((await patchRole(id, { role: "viewer" }, "")).status).toBe(200);
  });

  it("refuses bad input with a 4xx naming the field, and non-admins", async () => {
    const user = await t.signUp("role-bad@example.com");
    const id = (await user.auth.getSession()).data!.session!.user!.id;
    const badType = await patchRole(id, { role: "x" }, "?type=dashboard");
    expect(badType.status).toBe(400);
    expect(((await badType.json()) as { field: string }).field).toBe("type");
    const badId = await patchRole("not-a-uuid", { role: "x" });
    expect(((await badId.json()) as { field: string }).field).toBe("id");
    const missing = await patchRole(crypto.randomUUID(), { role: "editor" });
    expect(missing.status).toBe(404);
    const anon = await patchRole(id, { role: "admin" }, "", t.stack.keys.anonKey);
    expect([401, 403]).toContain(anon.status);
  });
});
