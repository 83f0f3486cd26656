// What a job is given of the secret stores, read from a real PostgreSQL: its user's
// secrets over the system's, the function secrets of its namespace over the global ones,
// and nothing of another user's or another namespace's; read in one round trip per job.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db, type Queryable } from "../../src-server/db/connections.ts";
import { createFunctionSecretStore, createSecretStore } from "../../src-server/secrets/index.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";

let database: TestDatabase;
let db: Db;
const key = randomBytes(32);
let ann = "";
let bob = "";

/** The same Db, counting the statements sent through it. */
function counting(target: Db): { db: Db; statements: () => number } {
  let statements = 0;
  const wrap = (q: Queryable): Queryable => ({
    query(text, values, options) {
      statements += 1;
      return q.query(text, values, options);
    },
  });
  const wrapped: Db = {
    ...wrap(target),
    withTransaction: (fn) => target.withTransaction((tx) => fn(wrap(tx))),
    connect: () => target.connect(),
    connectionString: target.connectionString,
    end: () => target.end(),
  };
  return { db: wrapped, statements: () => statements };
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ connectionString: database.url, max: 2 });
  const users = await db.query<{ id: string }>(
    `INSERT INTO auth.users (email, password_hash) VALUES ('ann@example.com', 'x'), ('bob@example.com', 'x') RETURNING id`,
  );
  [ann, bob] = users.map((row) => row.id) as [string, string];
  const store = createSecretStore({ db, key });
  await store.create({ kind: "system" }, { key: "api_token", value: "system-token-value" });
  await store.create({ kind: "system" }, { key: "region", value: "eu-west-1-value" });
  await store.create({ kind: "user", userId: ann }, { key: "api_token", value: "ann-token-value" });
  await store.create({ kind: "user", userId: bob }, { key: "bob_only", value: "bob-secret-value" });
  const functions = createFunctionSecretStore({ db, key });
  await functions.create({ name: "smtp", value: "global-smtp-value" }, null);
  await functions.create(
    { name: "smtp", value: "billing-smtp-value", scope: "namespace", namespace: "billing" },
    null,
  );
  await functions.create(
    { name: "other", value: "other-ns-value", scope: "namespace", namespace: "other" },
    null,
  );
});

afterAll(async () => {
  await db?.end();
  await database?.drop();
});

describe("the secrets a job is given", () => {
  it("are its user's over the system's and its namespace's over the global ones, read in one round trip", async () => {
    const counted = counting(db);
    const store = createSecretStore({ db: counted.db, key });
    const forAnn = await store.forJob(ann, "billing");
    expect(counted.statements()).toBe(1);
    expect(forAnn).toEqual({
      user: { api_token: "ann-token-value" },
      system: { api_token: "system-token-value", region: "eu-west-1-value" },
      functions: { FLUXBASE_SECRET_SMTP: "billing-smtp-value" },
    });
    const forNobody = await store.forJob(null, "default");
    expect(forNobody).toEqual({
      user: {},
      system: { api_token: "system-token-value", region: "eu-west-1-value" },
      functions: { FLUXBASE_SECRET_SMTP: "global-smtp-value" },
    });
  });
});
