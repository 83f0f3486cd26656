// The route table. Each view is one entry; `nav` puts it in the left navigation.
import { createRouter, createWebHashHistory, type RouteRecordRaw } from "vue-router";
import { useSessionStore } from "./stores/session.ts";

export interface NavMeta {
  /** Label in the left navigation (absent: not in the nav). */
  nav?: string;
  /** Keyboard shortcut shown beside the label: `g` then this key. */
  key?: string;
  /** Reachable without signing in. */
  public?: boolean;
}

export const routes: RouteRecordRaw[] = [
  { path: "/", redirect: "/runs" },
  { path: "/login", component: () => import("./views/LoginView.vue"), meta: { public: true } },
  {
    path: "/runs/:id?",
    component: () => import("./views/RunsView.vue"),
    meta: { nav: "Runs", key: "r" },
  },
  {
    path: "/workers",
    component: () => import("./views/WorkersView.vue"),
    meta: { nav: "Workers", key: "w" },
  },
  // ── Other views
  { path: "/jobs", component: () => import("./views/JobsIdeView.vue"), meta: { nav: "Jobs (IDE)", key: "j" } },
  { path: "/schedules", component: () => import("./views/SchedulesView.vue"), meta: { nav: "Schedules", key: "s" } },
  { path: "/secrets", component: () => import("./views/SecretsView.vue"), meta: { nav: "Secrets", key: "k" } },
  { path: "/users", component: () => import("./views/UsersView.vue"), meta: { nav: "Users", key: "u" } },
  { path: "/connect", component: () => import("./views/ConnectView.vue"), meta: { nav: "Connect", key: "c" } },
  // ── end of other views
  { path: "/:rest(.*)*", redirect: "/runs" },
];

/** The entries of the left navigation, in table order. */
export function navEntries(): { path: string; label: string; key?: string }[] {
  return routes
    .filter((r) => (r.meta as NavMeta | undefined)?.nav)
    .map((r) => {
      const meta = r.meta as NavMeta;
      return { path: r.path.replace(/\/:.*$/, ""), label: meta.nav!, key: meta.key };
    });
}

export function createAppRouter() {
  const router = createRouter({ history: createWebHashHistory(), routes });
  router.beforeEach((to) => {
    const session = useSessionStore();
    if (!(to.meta as NavMeta).public && !session.user) {
      return { path: "/login", query: { ...to.query, next: to.fullPath } };
    }
    return true;
  });
  return router;
}
