// Application tables and their realtime switch (admin.realtime): which tables send
// postgres_changes to subscribers (filtered per subscriber by the table's RLS).
import { defineStore } from "pinia";
import type { RealtimeTableStatus } from "../../src-sdk/index.ts";
import { api } from "../api.ts";
import { useServerData } from "./server-data.ts";

export const useTablesStore = defineStore("tables", () => {
  const {
    data: tables,
    error,
    loading,
    refresh,
    settle,
  } = useServerData<RealtimeTableStatus[]>(
    () => [],
    () => api().admin.realtime.listTables({ includeDisabled: true }),
  );

  async function setRealtime(t: RealtimeTableStatus, on: boolean): Promise<void> {
    await settle(
      on
        ? await api().admin.realtime.enableRealtime(t.table, { schema: t.schema })
        : await api().admin.realtime.disableRealtime(t.schema, t.table),
    );
  }

  return { tables, error, loading, refresh, setRealtime };
});
