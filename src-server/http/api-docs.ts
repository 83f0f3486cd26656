// The API describes itself: the OpenAPI 3.1 document built from the routes' schemas
// (GET /api/v1/openapi.json) and the interactive reference at /docs (swagger-ui, served from
// the package's own files). Must be registered before the routes it documents. The reference
// is built on the first visit to /docs (api-reference.ts): swagger-ui, @fastify/static and
// yaml are ~150 modules a server that nobody browses need not load at start.
import swagger from "@fastify/swagger";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { openApiPath } from "./route-schema.ts";

export const OPENAPI_PATH = "/api/v1/openapi.json";
export const DOCS_PATH = "/docs";

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

/**
 * Runs in the reference page before swagger-ui starts: a token handed over in the address's
 * fragment (`/docs#token=...`, from the app) is kept for the tab and pre-authorizes "try it".
 */
const PREAUTHORIZE_SCRIPT = `(function () {
  var key = "fluxbase-docs-token";
  var match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem(key, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  var token = sessionStorage.getItem(key);
  var original = window.SwaggerUIBundle;
  if (!token || !original) return;
  function bundle(config) {
    var ui = original(Object.assign({}, config, {
      onComplete: function () { ui.preauthorizeApiKey("bearer", token); }
    }));
    return ui;
  }
  Object.assign(bundle, original);
  window.SwaggerUIBundle = bundle;
})();
`;

export interface ApiDocsOptions {
  title?: string;
  version?: string;
}

/** Queues the document, the reference and the document's route; routes registered after are documented. */
export function registerApiDocs(app: FastifyInstance, options: ApiDocsOptions = {}): void {
  app.register(swagger, {
    exposeHeadRoutes: true,
    openapi: {
      openapi: "3.1.0",
      info: {
        title: options.title ?? "Fluxbase Local API",
        version: options.version ?? "1",
        description:
          "Every HTTP route of this server. Errors are JSON objects with a string `error`, " +
          "usually a `code`, and the refused `field` for bad input. Realtime is a WebSocket " +
          "at /realtime on the same port (not described here).",
      },
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    transform: ({ schema, url, route }) => {
      const pattern = (route.config as { pattern?: string } | undefined)?.pattern;
      return { schema, url: pattern ? openApiPath(pattern) : url };
    },
  });
  let reference: Promise<FastifyInstance> | undefined;
  const serveReference = async (request: FastifyRequest, reply: FastifyReply) => {
    const { createApiReference } = await import("./api-reference.ts");
    reference ??= createApiReference({
      document: app.swagger(),
      routePrefix: DOCS_PATH,
      title: "Fluxbase Local API",
      preauthorizeScript: PREAUTHORIZE_SCRIPT,
    });
    const docs = await reference.catch((err: unknown) => {
      reference = undefined;
      throw err;
    });
    reply.hijack();
    docs.routing(request.raw, reply.raw);
  };
  app.register(async (scope) => {
    for (const url of [DOCS_PATH, `${DOCS_PATH}/*`])
      scope.route({
        method: ["GET", "HEAD"],
        url,
        schema: { hide: true },
        handler: serveReference,
      });
    scope.get(
      OPENAPI_PATH,
      {
        schema: {
          operationId: "getOpenapiJson",
          summary: "This document (OpenAPI 3.1)",
          tags: ["meta"],
          security: [],
          response: { 200: { type: "object", additionalProperties: true } },
        },
      },
      async (request, reply) => {
        const origin = `${request.protocol}://${request.host}`;
        const document = { ...app.swagger(), servers: [{ url: origin }] };
        return reply
          .header("content-type", "application/json; charset=utf-8")
          .send(JSON.stringify(document));
      },
    );
  });
}
