// Every route's schemas, by `METHOD /pattern`: request checks and the OpenAPI document.
import type { RouteSchemas } from "../route-schema.ts";

export const routeSchemas: RouteSchemas = {};
