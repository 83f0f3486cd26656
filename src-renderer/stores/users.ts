// Test users and their roles (admin.users), to try row-level security and require-role.
import { defineStore } from "pinia";
import type { AuthUser, CreateUserInput } from "../../src-sdk/index.ts";
import { api } from "../api.ts";
import { useServerData } from "./server-data.ts";

export { ASSIGNABLE_ROLES as ROLES } from "../../src-shared/roles.ts";

export const useUsersStore = defineStore("users", () => {
  const {
    data: users,
    error,
    loading,
    refresh,
    settle,
  } = useServerData<AuthUser[]>(
    () => [],
    () => api().admin.users.list(),
  );

  async function create(input: CreateUserInput): Promise<boolean> {
    return settle(await api().admin.users.create(input));
  }

  async function setRole(id: string, role: string): Promise<void> {
    await settle(await api().admin.users.setRole(id, role));
  }

  async function remove(id: string): Promise<void> {
    await settle(await api().admin.users.delete(id));
  }

  return { users, error, loading, refresh, create, setRole, remove };
});
