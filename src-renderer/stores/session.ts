// Who is signed in. The SDK keeps (and persists) the tokens; this store mirrors the user.
import { defineStore } from "pinia";
import { ref } from "vue";
import type { AuthUser } from "../../src-sdk/index.ts";
import { api, signInWithCode } from "../api.ts";

export const useSessionStore = defineStore("session", () => {
  const user = ref<AuthUser | null>(null);
  const ready = ref(false);

  /** Restores a persisted session (checking it still works). */
  async function restore(): Promise<void> {
    const client = api();
    client.auth.onAuthStateChange((_event, session) => {
      user.value = session?.user ?? null;
    });
    const { data } = await client.auth.getSession();
    if (data?.session) {
      const res = await client.auth.getUser();
      user.value = res.error ? null : res.data.user;
      if (res.error) await client.auth.signOut();
    }
    ready.value = true;
  }

  async function signIn(email: string, password: string): Promise<void> {
    const { data, error } = await api().auth.signIn({ email, password });
    if (error) throw error;
    user.value = data.user;
  }

  async function signInCode(code: string): Promise<void> {
    await signInWithCode(code);
    user.value = (await api().auth.getSession()).data?.session?.user ?? null;
  }

  async function signOut(): Promise<void> {
    await api().auth.signOut();
    user.value = null;
  }

  return { user, ready, restore, signIn, signInCode, signOut };
});
