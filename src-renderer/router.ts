// The route table. Each view is one entry; `nav` puts it in the left navigation.
import { createRouter, createWebHashHistory, type RouteRecordRaw } from "vue-router";
import { isAdminRole } from "../src-shared/roles.ts";
import { useSessionStore } from "./stores/session.ts";

export interface NavMeta {
  /** Label in the left navigation (absent: not in the nav). */
  nav?: string;
  /** Keyboard shortcut shown beside the label: `g` then this key. */
  key?: string;
  /** Reachable without signing in. */
  public?: boolean;
  /** Only for admins (admin, dashboard_admin): others neither see nor reach it. */
  admin?: boolean;
}

export const routes: RouteRecordRaw[] = [
  { path: "/", redirect: "/runs" },
  { path: "/login", component: () => import("./views/LoginView.vue"), meta: { public: true } },
  {
    path: "/runs/:id?",
    component: () => import("./views/RunsView.vue"),
    meta: { nav: "Runs", key: "r" },
  },
  { path: "/compare/:a/:b", component: () => import("./views/RunCompareView.vue") },
  {
    path: "/workers",
    component: () => import("./views/WorkersView.vue"),
    meta: { nav: "Workers", key: "w", admin: true },
  },
  // ── Other views
  {
    path: "/jobs",
    component: () => import("./views/JobsIdeView.vue"),
    meta: { nav: "Jobs (IDE)", key: "j", admin: true },
  },
  {
    path: "/schedules",
    component: () => import("./views/SchedulesView.vue"),
    meta: { nav: "Schedules", key: "s", admin: true },
  },
  {
    path: "/secrets",
    component: () => import("./views/SecretsView.vue"),
    meta: { nav: "Secrets", key: "k" },
  },
  {
    path: "/users",
    component: () => import("./views/UsersView.vue"),
    meta: { nav: "Users", key: "u", admin: true },
  },
  {
    path: "/tables",
    component: () => import("./views/TablesView.vue"),
    meta: { nav: "Tables", key: "b", admin: true },
  },
  {
    path: "/connect",
    component: () => import("./views/ConnectView.vue"),
    meta: { nav: "Connect", key: "c", admin: true },
  },
  {
    path: "/api",
    component: () => import("./views/ApiView.vue"),
    meta: { nav: "API", key: "a" },
  },
  // ── end of other views
  { path: "/:rest(.*)*", redirect: "/runs" },
];

/** The entries of the left navigation, in table order: those the signed-in role may use. */
export function navEntries(): { path: string; label: string; key?: string }[] {
  const admin = isAdminRole(useSessionStore().user?.role);
  return routes
    .filter((r) => (r.meta as NavMeta | undefined)?.nav && (admin || !(r.meta as NavMeta).admin))
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
    if ((to.meta as NavMeta).admin && !isAdminRole(session.user?.role)) return { path: "/runs" };
    return true;
  });
  return router;
}
