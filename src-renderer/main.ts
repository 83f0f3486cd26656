import { createPinia } from "pinia";
import { createApp } from "vue";
import App from "./App.vue";
import { errorText, initApi } from "./api.ts";
import { createAppRouter } from "./router.ts";
import { useSessionStore } from "./stores/session.ts";
import "./theme.css";

async function boot(): Promise<void> {
  const app = createApp(App);
  app.use(createPinia());
  try {
    await initApi();
    await useSessionStore().restore();
  } catch (err) {
    document.body.textContent = `Cannot reach the Fluxbase Local server: ${errorText(err)}`;
    return;
  }
  app.use(createAppRouter());
  app.mount("#app");
}

void boot();
