// Light/dark theme, persisted in localStorage and applied as <html data-theme>.
import { ref, watchEffect } from "vue";

export type Theme = "light" | "dark";
const KEY = "fluxbase.ui.theme";

function initial(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === "light" || saved === "dark") return saved;
  return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

const theme = ref<Theme>(initial());
watchEffect(() => {
  document.documentElement.dataset.theme = theme.value;
  localStorage.setItem(KEY, theme.value);
});

export function useTheme() {
  return {
    theme,
    toggle: () => {
      theme.value = theme.value === "dark" ? "light" : "dark";
    },
  };
}
