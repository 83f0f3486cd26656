// The "API" view: the server's /docs reference in the app, "try it" signed in as the user.
import { enableAutoUnmount, flushPromises, mount } from "@vue/test-utils";
import { createPinia, setActivePinia } from "pinia";
import { afterEach, describe, expect, it } from "vitest";
import { setApiClient } from "../../src-renderer/api.ts";
import { navEntries } from "../../src-renderer/router.ts";
import { useSessionStore } from "../../src-renderer/stores/session.ts";
import ApiView from "../../src-renderer/views/ApiView.vue";
import { fakeServer, makeUser } from "./fake-server.ts";

enableAutoUnmount(afterEach);
afterEach(() => setApiClient(undefined));

describe("ApiView", () => {
  it("is in the navigation for every signed-in user", () => {
    setActivePinia(createPinia());
    useSessionStore().user = makeUser({ email: "u@example.com", role: "authenticated" });
    expect(navEntries()).toContainEqual({ path: "/api", label: "API", key: "a" });
  });

  it("shows /docs with the signed-in user's token handed over in the fragment", async () => {
    const pinia = createPinia();
    setActivePinia(pinia);
    const server = fakeServer({ accounts: { "u@example.com": "pw" } });
    await server.client.auth.signIn({ email: "u@example.com", password: "pw" });
    const wrapper = mount(ApiView, { global: { plugins: [pinia] } });
    await flushPromises();
    const frame = wrapper.get('[data-testid="api-reference"]');
    const src = new URL(frame.attributes("src")!);
    expect(src.pathname).toBe("/docs");
    expect(src.hash).toBe("#token=access-token");
    expect(wrapper.get('[data-testid="openapi-url"]').text()).toMatch(/\/api\/v1\/openapi\.json$/);
  });
});
