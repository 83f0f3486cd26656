// The Tables view: every application table with its realtime switch; turning it on or off
// calls admin.realtime (POST / DELETE /api/v1/admin/realtime/tables) and shows the new state.
import { enableAutoUnmount, flushPromises, mount } from "@vue/test-utils";
import { createPinia, setActivePinia } from "pinia";
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryHistory, createRouter } from "vue-router";
import { createClient } from "../../src-sdk/index.ts";
import { fakeFetch, jsonResponse } from "../helpers/fake-fetch.ts";
import { setApiClient } from "../../src-renderer/api.ts";
import TablesView from "../../src-renderer/views/TablesView.vue";

enableAutoUnmount(afterEach);
afterEach(() => setApiClient(undefined));

describe("TablesView", () => {
  it("lists app tables and switches realtime on and off", async () => {
    const enabled = new Set<string>();
    const fetch = fakeFetch((req) => {
      const path = req.url.pathname;
      if (req.method === "GET" && path === "/api/v1/admin/realtime/tables") {
        const tables = ["app.notes", "app.reports"].map((name) => {
          const [schema, table] = name.split(".");
          const on = enabled.has(name);
          return { schema, table, realtime_enabled: on, events: on ? ["INSERT"] : [] };
        });
        return jsonResponse({ tables, count: tables.length });
      }
      if (req.method === "POST" && path === "/api/v1/admin/realtime/tables") {
        const body = req.json as { schema: string; table: string };
        enabled.add(`${body.schema}.${body.table}`);
        return jsonResponse({ ...body, events: ["INSERT"], trigger_name: "t" }, 201);
      }
      if (req.method === "DELETE" && path === "/api/v1/admin/realtime/tables/app/notes") {
        enabled.delete("app.notes");
        return jsonResponse({ success: true, message: "Realtime disabled" });
      }
      return jsonResponse({ error: "unexpected" }, 500);
    });
    setApiClient(createClient("http://fake.local", { apiKey: "anon" }, { fetch }), "test");
    setActivePinia(createPinia());
    // The view reads ?table= and ?keys= from its route.
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: "/tables", component: TablesView }],
    });
    await router.push("/tables");
    await router.isReady();
    const wrapper = mount(TablesView, { global: { plugins: [router] } });
    await flushPromises();
    expect(fetch.requests[0]!.url.searchParams.get("enabled")).toBe("false");
    const toggle = () => wrapper.get<HTMLInputElement>('[data-testid="realtime-app.notes"]');
    expect(toggle().element.checked).toBe(false);

    await toggle().setValue(true);
    await flushPromises();
    expect(fetch.requests.find((r) => r.method === "POST")?.json).toMatchObject({
      schema: "app",
      table: "notes",
    });
    expect(toggle().element.checked).toBe(true);
    expect(wrapper.get('[data-testid="table-app.notes"]').text()).toContain("INSERT");

    await toggle().setValue(false);
    await flushPromises();
    expect(fetch.requests.some((r) => r.method === "DELETE")).toBe(true);
    expect(toggle().element.checked).toBe(false);
  });
});
