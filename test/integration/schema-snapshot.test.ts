// The schema the migrations build, compared with the committed migrations/schema.snapshot.txt:
// a migration that changes the schema changes that file in the same commit.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createDb, type Db } from "../../src-server/db/connections.ts";
import { SNAPSHOT_PATH, schemaSnapshot } from "../../scripts/schema-snapshot.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/database.ts";

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb({ connectionString: database.url, max: 1 });
});

afterAll(async () => {
  await db.end();
  await database.drop();
});

it("the migrated schema matches migrations/schema.snapshot.txt", async () => {
  const committed = await readFile(SNAPSHOT_PATH, "utf8").catch(() => "(missing)");
  expect(
    await schemaSnapshot(db),
    "The migrations build a schema other than migrations/schema.snapshot.txt says. " +
      "If the change is intended, run `npm run schema:snapshot` and commit the file.",
  ).toBe(committed);
});
