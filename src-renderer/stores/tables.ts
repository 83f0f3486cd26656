// Application tables and their realtime switch (admin.realtime): which tables send
// postgres_changes to subscribers (filtered per subscriber by the table's RLS).
import { defineStore } from "pinia";
import { ref } from "vue";
import type { RealtimeTableStatus } from "../../src-sdk/index.ts";
import { api } from "../api.ts";

export const useTablesStore = defineStore("tables", () => {
  const tables = ref<RealtimeTableStatus[]>([]);
  const error = ref<string | null>(null);

  async function refresh(): Promise<void> {
    const res = await api().admin.realtime.listTables({ includeDisabled: true });
    error.value = res.error?.message ?? null;
    tables.value = res.data ?? [];
  }

  async function setRealtime(t: RealtimeTableStatus, on: boolean): Promise<void> {
    const res = on
      ? await api().admin.realtime.enableRealtime(t.table, { schema: t.schema })
      : await api().admin.realtime.disableRealtime(t.schema, t.table);
    await refresh();
    if (res.error) error.value = res.error.message;
  }

  return { tables, error, refresh, setRealtime };
});
