// A route's schemas (TypeBox): the same objects check requests (checkRequest) and describe the
// route in the OpenAPI document (documentedSchema), so the two cannot drift apart.
import { Type, type TObject, type TSchema } from "@sinclair/typebox";
import { TypeCompiler, type TypeCheck } from "@sinclair/typebox/compiler";
import { childPath, type InputProblem } from "./json-input.ts";
import type { AuthScheme, Route } from "./router.ts";

export interface RouteSchema {
  summary: string;
  description?: string;
  /** Groups in the API reference (e.g. "jobs", "admin"). */
  tags: string[];
  /** Path parameters; by default each `:name` of the pattern is a string. */
  params?: TObject;
  querystring?: TObject;
  /** The JSON body. */
  body?: TSchema;
  /** Media types of a body that is not JSON (uploads); documented, not checked. */
  consumes?: string[];
  /** Success answers by status (errors are added: every 4xx is an ErrorBody). */
  response: Record<number, TSchema>;
}

/** Schemas by `METHOD /pattern`, as the routes were added to the router. */
export type RouteSchemas = Record<string, RouteSchema>;

/** Every refusal: a status 4xx or 5xx with a string `error` (and often a code and the field). */
export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: "What went wrong" }),
    code: Type.Optional(Type.String({ description: "A stable machine-readable code" })),
    field: Type.Optional(Type.String({ description: "The request field that was refused" })),
    request_id: Type.Optional(Type.String()),
  },
  { additionalProperties: true, description: "An error" },
);

/** A JSON body of any shape (the SDK's free-form payloads, results and rows). */
export const AnyJson = Type.Unknown({ description: "Any JSON value" });

type Part = "params" | "querystring" | "body";

const compiled = new WeakMap<TSchema, TypeCheck<TSchema>>();

function checker(schema: TSchema): TypeCheck<TSchema> {
  let check = compiled.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    compiled.set(schema, check);
  }
  return check;
}

/** `/items/2/name` (a JSON pointer) as a field name: `items[2].name`. */
function fieldOf(pointer: string, part: Part): string {
  const keys = pointer
    .split("/")
    .slice(1)
    .map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~"));
  const path = keys.reduce<string>(
    (parent, key) => childPath(parent, /^\d+$/.test(key) ? Number(key) : key),
    "",
  );
  return path || (part === "querystring" ? "query" : part);
}

/** The first way `value` breaks the route's schema for that part of the request, or undefined. */
export function checkRequest(
  schema: RouteSchema,
  part: Part,
  value: unknown,
): InputProblem | undefined {
  const expected = schema[part];
  if (!expected) return undefined;
  if (part === "body" && value === undefined) return undefined;
  const check = checker(expected);
  if (check.Check(value)) return undefined;
  const first = check.Errors(value).First();
  if (!first) return undefined;
  return { path: fieldOf(first.path, part), message: first.message.toLowerCase() };
}

/** `:name` and `*name` segments as path parameters (all strings). */
export function patternParams(pattern: string): TObject {
  const names = pattern
    .split("/")
    .filter((seg) => seg.startsWith(":") || seg.startsWith("*"))
    .map((seg) => seg.slice(1));
  return Type.Object(Object.fromEntries(names.map((name) => [name, Type.String()])));
}

/** `/a/:b/*rest` as an OpenAPI path: `/a/{b}/{rest}`. */
export function openApiPath(pattern: string): string {
  return pattern.replace(/\/[:*]([A-Za-z_]\w*)/g, "/{$1}");
}

const capitalized = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * The operation's stable name for client generators, from its method and pattern without
 * `/api/v1`: `GET /api/v1/jobs/:id` is `getJobsById`, `POST /api/v1/jobs/submit` `postJobsSubmit`.
 * A HEAD route is named as its GET: @fastify/swagger suffixes a HEAD's operationId with `-head`.
 */
export function operationId(method: string, pattern: string): string {
  const words = pattern
    .replace(/^\/api\/v1(?=\/|$)/, "")
    .split("/")
    .filter(Boolean)
    .flatMap((seg) => {
      const param = /^[:*]/.test(seg);
      const parts = seg
        .replace(/^[:*]/, "")
        .split(/[^A-Za-z0-9]+/)
        .filter(Boolean);
      return param ? ["By", ...parts.map(capitalized)] : parts.map(capitalized);
    });
  return (method === "HEAD" ? "get" : method.toLowerCase()) + words.join("");
}

const SECURITY_ORDER: AuthScheme[] = ["bearer", "serviceKey", "anonKey"];

/** Who may call the route, from its guards: [] when no guard asks for a credential. */
export function routeSecurity(route: Route): Record<string, string[]>[] {
  const guarded = route.guards.filter((g) => g.auth);
  if (guarded.length === 0) return [];
  const accepted = SECURITY_ORDER.filter((scheme) =>
    guarded.every((g) => g.auth!.includes(scheme)),
  );
  return accepted.map((scheme) => ({ [scheme]: [] }));
}

const ERROR_STATUSES = [400, 401, 403, 404, 409, 413] as const;

/** The schema Fastify (and so the OpenAPI document) holds for a route. */
export function documentedSchema(route: Route, schema: RouteSchema | undefined) {
  const params = schema?.params ?? patternParams(route.pattern);
  const response: Record<string, TSchema> = { ...(schema?.response ?? {}) };
  for (const status of ERROR_STATUSES) response[status] ??= ErrorBody;
  response["5XX"] = ErrorBody;
  return {
    operationId: operationId(route.method, route.pattern),
    summary: schema?.summary ?? `${route.method} ${route.pattern}`,
    ...(schema?.description ? { description: schema.description } : {}),
    tags: schema?.tags ?? [],
    ...(Object.keys(params.properties).length ? { params } : {}),
    ...(schema?.querystring ? { querystring: schema.querystring } : {}),
    ...(schema?.body ? { body: schema.body } : {}),
    ...(schema?.consumes ? { consumes: schema.consumes } : {}),
    security: routeSecurity(route),
    response,
  };
}
