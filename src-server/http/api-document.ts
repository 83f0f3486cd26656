// Builds the OpenAPI 3.1 document on the first request that needs it (api-docs.ts imports
// this module then): @fastify/swagger, yaml and their schema tooling are ~100 modules and
// several MB an idle server need not hold. The routes the server recorded at start are
// registered again, with no handlers, on a Fastify instance of the document's own, whose
// @fastify/swagger sees them as it would have seen the server's.
import swagger from "@fastify/swagger";
import Fastify, { type FastifyInstance, type RouteOptions } from "fastify";
import { openApiPath } from "./route-schema.ts";
import { noSchemaCompilers, ROUTER_OPTIONS } from "./fastify-options.ts";

/** What the document needs of a route, as the server's `onRoute` hook saw it. */
export type RecordedRoute = Pick<RouteOptions, "method" | "url" | "schema" | "config">;

const documentOf = (app: FastifyInstance) => app.swagger();
export type ApiDocument = ReturnType<typeof documentOf>;

const SECURITY_SCHEMES = {
  bearer: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "A user's access token (POST /api/v1/auth/signin), or the service key as a bearer token.",
  },
  serviceKey: {
    type: "apiKey",
    in: "header",
    name: "x-service-key",
    description: "The service key: full access, bypasses row-level security. Never ship it.",
  },
  anonKey: {
    type: "apiKey",
    in: "header",
    name: "apikey",
    description: "The public anon key: may submit jobs and read what row-level security allows.",
  },
} as const;

const DESCRIPTION =
  "Every HTTP route of this server. Errors are JSON objects with a string `error`, " +
  "usually a `code`, and the refused `field` for bad input. Realtime is a WebSocket " +
  "at /realtime on the same port (not described here).";

export interface ApiDocumentOptions {
  routes: readonly RecordedRoute[];
  title: string;
  version: string;
}

const noHandler = () => undefined;

export async function buildApiDocument(options: ApiDocumentOptions): Promise<ApiDocument> {
  const app = Fastify({
    logger: false,
    exposeHeadRoutes: false,
    schemaController: { compilersFactory: noSchemaCompilers },
    routerOptions: ROUTER_OPTIONS,
  });
  try {
    await app.register(swagger, {
      exposeHeadRoutes: true,
      openapi: {
        openapi: "3.1.0",
        info: { title: options.title, version: options.version, description: DESCRIPTION },
        components: { securitySchemes: SECURITY_SCHEMES },
      },
      transform: ({ schema, url, route }) => {
        const pattern = (route.config as { pattern?: string } | undefined)?.pattern;
        return { schema, url: pattern ? openApiPath(pattern) : url };
      },
    });
    for (const route of options.routes) app.route({ ...route, handler: noHandler });
    await app.ready();
    return documentOf(app);
  } finally {
    await app.close();
  }
}
