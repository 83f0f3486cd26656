// Test users and their roles (admin.users), to try row-level security and require-role.
import { defineStore } from "pinia";
import { ref } from "vue";
import type { AuthUser, CreateUserInput } from "../../src-sdk/index.ts";
import { api } from "../api.ts";

export { ASSIGNABLE_ROLES as ROLES } from "../../src-shared/roles.ts";

export const useUsersStore = defineStore("users", () => {
  const users = ref<AuthUser[]>([]);
  const error = ref<string | null>(null);

  async function refresh(): Promise<void> {
    const res = await api().admin.users.list();
    error.value = res.error?.message ?? null;
    users.value = res.data ?? [];
  }

  /** Reloads the list, then shows the action's error (the reload must not hide it). */
  async function after(res: { error: Error | null }): Promise<boolean> {
    await refresh();
    if (res.error) error.value = res.error.message;
    return !res.error;
  }

  async function create(input: CreateUserInput): Promise<boolean> {
    return after(await api().admin.users.create(input));
  }

  async function setRole(id: string, role: string): Promise<void> {
    await after(await api().admin.users.setRole(id, role));
  }

  async function remove(id: string): Promise<void> {
    await after(await api().admin.users.delete(id));
  }

  return { users, error, refresh, create, setRole, remove };
});
