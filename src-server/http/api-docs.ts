// The API describes itself: the OpenAPI 3.1 document built from the routes' schemas
// (GET /api/v1/openapi.json) and the interactive reference at /docs (swagger-ui, served from
// the package's own files). Must be registered before the routes it documents: it records
// them as they are registered. The document is built on the first request for it
// (api-document.ts) and the reference on the first visit to /docs (api-reference.ts):
// @fastify/swagger, swagger-ui, @fastify/static and yaml are ~250 modules a server that
// nobody browses need not load at start.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ApiDocument, RecordedRoute } from "./api-document.ts";

export const OPENAPI_PATH = "/api/v1/openapi.json";
export const DOCS_PATH = "/docs";

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

/** Records the routes registered after it and adds the document's and the reference's routes. */
export function registerApiDocs(app: FastifyInstance, options: ApiDocsOptions = {}): void {
  const routes: RecordedRoute[] = [];
  app.addHook("onRoute", ({ method, url, schema, config }) => {
    routes.push({ method, url, schema, config });
  });
  let document: Promise<ApiDocument> | undefined;
  const apiDocument = () =>
    (document ??= import("./api-document.ts")
      .then(({ buildApiDocument }) =>
        buildApiDocument({
          routes,
          title: options.title ?? "Fluxbase Local API",
          version: options.version ?? "1",
        }),
      )
      .catch((err: unknown) => {
        document = undefined;
        throw err;
      }));
  let reference: Promise<FastifyInstance> | undefined;
  const serveReference = async (request: FastifyRequest, reply: FastifyReply) => {
    reference ??= Promise.all([import("./api-reference.ts"), apiDocument()]).then(
      ([{ createApiReference }, doc]) =>
        createApiReference({
          document: doc,
          routePrefix: DOCS_PATH,
          title: "Fluxbase Local API",
          preauthorizeScript: PREAUTHORIZE_SCRIPT,
        }),
    );
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
        const document = { ...(await apiDocument()), servers: [{ url: origin }] };
        return reply
          .header("content-type", "application/json; charset=utf-8")
          .send(JSON.stringify(document));
      },
    );
  });
}
