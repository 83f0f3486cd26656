// The interactive API reference (swagger-ui) as a Fastify app of its own, built on the first
// visit to /docs from the OpenAPI document of the running server (api-docs.ts hands requests
// under /docs to it).
import swagger, { type StaticDocumentSpec } from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance } from "fastify";
import type { ApiDocument } from "./api-document.ts";
import { noSchemaCompilers } from "./fastify-options.ts";

export interface ApiReferenceOptions {
  /** The OpenAPI document (every route is registered by now). */
  document: ApiDocument;
  routePrefix: string;
  title: string;
  /** Runs in the page before swagger-ui starts. */
  preauthorizeScript: string;
}

export async function createApiReference(options: ApiReferenceOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    schemaController: { compilersFactory: noSchemaCompilers },
  });
  // The plugin's static-mode typing knows OpenAPI 2 and 3.0 only; the document is 3.1.
  const document = options.document as StaticDocumentSpec["document"];
  await app.register(swagger, { mode: "static", specification: { document } });
  await app.register(swaggerUi, {
    routePrefix: options.routePrefix,
    uiConfig: { tryItOutEnabled: true, persistAuthorization: true, deepLinking: false },
    theme: {
      title: options.title,
      js: [{ filename: "preauthorize.js", content: options.preauthorizeScript }],
    },
  });
  await app.ready();
  return app;
}
