// Fastify options shared by the server (server.ts) and the instances that build its API
// document and reference (api-document.ts, api-reference.ts).
//
// The schema compilers are no-ops: route-schema.ts checks requests with TypeBox and replies
// are JSON.stringify'd, so Fastify's schemas only describe the API. Handing Fastify these
// factories keeps it from loading its default ones (three copies of ajv and
// fast-json-stringify, ~230 modules and several MB a server holds all its life).
import type { FastifyServerOptions } from "fastify";

type CompilersFactory = NonNullable<
  NonNullable<FastifyServerOptions["schemaController"]>["compilersFactory"]
>;

const accept = () => true;
const stringify = (data: unknown) => JSON.stringify(data);

export const noSchemaCompilers: CompilersFactory = {
  // The declared types are ajv's and fast-json-stringify's; Fastify only calls the compiler
  // and then the function it returns.
  buildValidator: (() => () => accept) as unknown as CompilersFactory["buildValidator"],
  buildSerializer: () => () => stringify,
};

/** How paths match: the document's instance must take the server's routes without conflicts. */
export const ROUTER_OPTIONS = {
  ignoreTrailingSlash: true,
  ignoreDuplicateSlashes: true,
  maxParamLength: 4096,
} as const satisfies FastifyServerOptions["routerOptions"];
