// Test users and their roles (admin.users), to try row-level security and require-role.
import { defineStore } from "pinia";
import { ref } from "vue";
import type { AuthUser, CreateUserInput } from "../../src-sdk/index.ts";
import { api } from "../api.ts";

export const ROLES = ["authenticated", "admin", "dashboard_admin"];

export const useUsersStore = defineStore("users", () => {
  const users = ref<AuthUser[]>([]);
  const error = ref<string | null>(null);

  async function refresh(): Promise<void> {
    const res = await api().admin.users.list();
    error.value = res.error?.message ?? null;
    users.value = res.data ?? [];
  }

  async function create(input: CreateUserInput): Promise<boolean> {
    const res = await api().admin.users.create(input);
    error.value = res.error?.message ?? null;
    await refresh();
    return !res.error;
  }

  async function setRole(id: string, role: string): Promise<void> {
    const res = await api().admin.users.setRole(id, role);
    error.value = res.error?.message ?? null;
    await refresh();
  }

  async function remove(id: string): Promise<void> {
    const res = await api().admin.users.delete(id);
    error.value = res.error?.message ?? null;
    await refresh();
  }

  return { users, error, refresh, create, setRole, remove };
});
