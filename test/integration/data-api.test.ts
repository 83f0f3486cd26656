// The data API through the SDK: reads, writes, filters and RLS as each caller, and
// malformed requests answered 4xx with nothing stored.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FluxbaseClient } from "../../src-sdk/index.ts";
import { createAppTables, ownerQuery, userIdOf } from "../helpers/app-tables.ts";
import { startTestStack, type TestStack } from "../helpers/stack.ts";

let t: TestStack;
let ann: FluxbaseClient;
let bob: FluxbaseClient;
let annId: string;
let bobId: string;

const countRows = async (where = "true") =>
  (
    await ownerQuery<{ n: number }>(
      t.database.url,
      `SELECT count(*)::int AS n FROM app.my_table WHERE ${where}`,
    )
  )[0]!.n;

beforeAll(async () => {
  t = await startTestStack();
  await createAppTables(t.database.url);
  ann = await t.signUp("ann@example.com");
  bob = await t.signUp("bob@example.com");
  [annId, bobId] = [await userIdOf(ann), await userIdOf(bob)];
});
afterAll(async () => {
  await t?.stop();
});

describe("reads and writes through the SDK", () => {
  it("inserts one row and many, answering them with .select()", async () => {
    const one = await ann
      .from("app.my_table")
      .insert({ user_id: annId, value: "first", score: 1 })
      .select()
      .single();
    expect(one.error).toBeNull();
    expect(one.status).toBe(201);
    expect(one.data).toMatchObject({ user_id: annId, value: "first", score: 1, tags: null });
    expect(typeof one.data!.id).toBe("number");
    expect(Date.parse(one.data!.created_at as string)).not.toBeNaN();

    const many = await ann
      .schema("app")
      .from("my_table")
      .insert([
        { user_id: annId, value: "second", score: 2, tags: ["a", "b"], meta: { k: [1, 2] } },
        { value: "third", score: 3, slug: "third" },
        { value: "fourth", score: null },
      ])
      .select("id,value,tags,meta,user_id");
    expect(many.error).toBeNull();
    expect(many.data!.map((r) => r.value)).toEqual(["second", "third", "fourth"]);
    expect(many.data![0]).toMatchObject({ tags: ["a", "b"], meta: { k: [1, 2] } });
    // user_id defaults to auth.uid(): the session carries the caller's claims.
    expect(many.data!.every((r) => r.user_id === annId)).toBe(true);

    const quiet = await ann.from("app.my_table").insert({ value: "fifth", score: 5 });
    expect(quiet).toMatchObject({ error: null, data: null, status: 201 });
  });

  it("filters with every operator, orders, limits, ranges and counts", async () => {
    const values = async (q: PromiseLike<{ data: Record<string, unknown>[] | null }>) =>
      ((await q).data ?? []).map((r) => r.value);
    const table = () => ann.from("app.my_table").select("value");
    expect(await values(table().eq("value", "first"))).toEqual(["first"]);
    expect(await values(table().neq("value", "first").order("id").limit(1))).toEqual(["second"]);
    expect(await values(table().gt("score", 2).order("score"))).toEqual(["third", "fifth"]);
    expect(await values(table().gte("score", 3).lte("score", 3))).toEqual(["third"]);
    expect(await values(table().lt("score", 2))).toEqual(["first"]);
    expect(await values(table().like("value", "%ir%").order("id"))).toEqual(["first", "third"]);
    expect(await values(table().ilike("value", "F*").order("id"))).toEqual([
      "first",
      "fourth",
      "fifth",
    ]);
    expect(await values(table().is("score", null))).toEqual(["fourth"]);
    expect(await values(table().in("score", [1, 3]).order("id"))).toEqual(["first", "third"]);
    expect(
      await values(
        table().not("score", "is", null).not("value", "in", ["first", "fifth"]).order("id"),
      ),
    ).toEqual(["second", "third"]);
    expect(await values(table().or("score.eq.1,slug.eq.third").order("id"))).toEqual([
      "first",
      "third",
    ]);
    expect(
      await values(
        table()
          .lt("created_at", new Date(Date.now() + 60_000))
          .order("id")
          .range(1, 2),
      ),
    ).toEqual(["second", "third"]);
    expect(
      await values(table().order("score", { ascending: false, nullsFirst: true }).limit(2)),
    ).toEqual(["fourth", "fifth"]);
    expect(await values(table().match({ value: "second", score: 2 }))).toEqual(["second"]);

    const counted = await ann
      .from("app.my_table")
      .select("id", { count: "exact" })
      .order("id")
      .limit(2);
    expect(counted.count).toBe(5);
    expect(counted.data).toHaveLength(2);
    const head = await ann
      .from("app.my_table")
      .select("*", { count: "exact", head: true })
      .gt("score", 1);
    expect(head).toMatchObject({ count: 3, data: null, error: null });
    expect((await ann.from("app.my_table").select("count")).data).toEqual([{ count: 5 }]);
  });

  it("answers single and maybeSingle", async () => {
    expect((await ann.from("app.my_table").select("value").eq("score", 2).single()).data).toEqual({
      value: "second",
    });
    expect(
      (await ann.from("app.my_table").select().eq("value", "none").maybeSingle()).data,
    ).toBeNull();
    expect(
      (await ann.from("app.my_table").select().eq("value", "none").single()).error?.status,
    ).toBe(406);
    expect((await ann.from("app.my_table").select().maybeSingle()).error?.status).toBe(406);
  });

  it("updates, upserts and deletes, returning rows with .select()", async () => {
    const updated = await ann
      .from("app.my_table")
      .update({ score: 20, meta: "text in jsonb" })
      .eq("value", "second")
      .select("value,score,meta");
    expect(updated.data).toEqual([{ value: "second", score: 20, meta: "text in jsonb" }]);
    expect(
      (await ann.from("app.my_table").update({ score: 21 }).eq("value", "second")).status,
    ).toBe(204);

    const merged = await ann
      .from("app.my_table")
      .upsert({ slug: "third", value: "third v2" }, { onConflict: "slug" })
      .select("slug,value");
    expect(merged.data).toEqual([{ slug: "third", value: "third v2" }]);
    const ignored = await ann
      .from("app.my_table")
      .upsert({ slug: "third", value: "third v3" }, { onConflict: "slug", ignoreDuplicates: true })
      .select();
    expect(ignored.data).toEqual([]);
    const byKey = await ann.from("app.my_table").select("id").eq("slug", "third").single();
    const merge = await ann
      .from("app.my_table")
      .upsert({ id: byKey.data!.id, value: "by primary key" })
      .select("value");
    expect(merge.data).toEqual([{ value: "by primary key" }]);

    const deleted = await ann.from("app.my_table").delete().eq("value", "fifth").select();
    expect(deleted.data).toMatchObject([{ value: "fifth", user_id: annId }]);
    expect((await ann.from("app.my_table").delete().eq("value", "fifth")).data).toBeNull();
    expect(await countRows("value = 'fifth'")).toBe(0);
  });
});

describe("row-level security decides", () => {
  it("shows each user only their rows; the service key sees all", async () => {
    await bob.from("app.my_table").insert({ user_id: bobId, value: "bob's" });
    const bobSees = await bob.from("app.my_table").select("value,user_id");
    expect(bobSees.data).toEqual([{ value: "bob's", user_id: bobId }]);
    const annSees = await ann.from("app.my_table").select("user_id");
    expect(annSees.data!.length).toBeGreaterThan(0);
    expect(annSees.data!.every((r) => r.user_id === annId)).toBe(true);
    const all = await t.service.from("app.my_table").select("user_id", { count: "exact" });
    expect(new Set(all.data!.map((r) => r.user_id))).toEqual(new Set([annId, bobId]));
    expect(all.count).toBe(await countRows());
  });

  it("lets no user change or delete another's rows", async () => {
    const updated = await bob
      .from("app.my_table")
      .update({ value: "hijacked" })
      .eq("value", "first")
      .select();
    expect(updated).toMatchObject({ error: null, data: [] });
    const deleted = await bob.from("app.my_table").delete().eq("user_id", annId).select();
    expect(deleted).toMatchObject({ error: null, data: [] });
    const moved = await ann.from("app.my_table").update({ user_id: bobId }).eq("value", "first");
    expect(moved.error?.status).toBe(403);
    expect(await countRows(`value = 'first' AND user_id = '${annId}'`)).toBe(1);
  });

  it("refuses a row carrying another user's id with 403", async () => {
    const { error } = await bob.from("app.my_table").insert({ user_id: annId, value: "forged" });
    expect(error?.status).toBe(403);
    expect(error?.message).toMatch(/row-level security/);
    expect(await countRows("value = 'forged'")).toBe(0);
  });

  it("keeps the anon key and system schemas to their grants", async () => {
    const anon = await t.anon.from("app.my_table").select();
    expect(anon.error?.status).toBe(403);
    expect(anon.error?.message).toMatch(/permission denied/);
    expect((await ann.schema("auth").from("users").select()).error?.status).toBe(403);
    expect(
      (
        await ann
          .schema("jobs")
          .from("queue")
          .insert({ job_name: "x", namespace: "d", status: "pending" })
      ).error?.status,
    ).toBe(403);
    expect((await ann.schema("secrets").from("secrets").select()).error?.message).toBe(
      "Table 'secrets.secrets' not found",
    );
    expect((await ann.from("pg_catalog.pg_class").select()).error?.status).toBe(404);
  });

  it("serves jobs.queue to its owner only, read-only", async () => {
    const [job] = await ownerQuery<{ id: string }>(
      t.database.url,
      "INSERT INTO jobs.queue (job_name, status, created_by) VALUES ('report', 'completed', $1) RETURNING id",
      [annId],
    );
    expect((await ann.schema("jobs").from("queue").select("id,job_name")).data).toEqual([
      { id: job!.id, job_name: "report" },
    ]);
    expect((await bob.schema("jobs").from("queue").select("id")).data).toEqual([]);
    const del = await ann.schema("jobs").from("queue").delete().eq("id", job!.id);
    expect(del.error?.status).toBe(403);
  });
});

describe("malformed requests get a 4xx with the reason, and store nothing", () => {
  it("names bad filters, unknown columns and unknown tables", async () => {
    const op = await ann.from("app.my_table").select().filter("score", "bigger", 1);
    expect(op.error).toMatchObject({
      status: 400,
      message: expect.stringMatching(/Unknown operator "bigger"/),
    });
    const syntax = await ann.from("app.my_table").select().or("score.eq.1,(");
    expect(syntax.error?.status).toBe(400);
    const column = await ann.from("app.my_table").select("id,nope");
    expect(column.error).toMatchObject({
      status: 400,
      message: "Column 'nope' does not exist in table 'app.my_table'",
    });
    expect((column.error!.details as { field: string }).field).toBe("nope");
    const table = await ann.from("app.nope").select();
    expect(table.error).toMatchObject({ status: 404, message: "Table 'app.nope' not found" });
    expect((await ann.from("nope").select()).error?.message).toBe("Table 'public.nope' not found");
  });

  it("refuses values of the wrong type and failed constraints, in one transaction", async () => {
    const before = await countRows();
    const typed = await ann.from("app.my_table").select().eq("score", "many");
    expect(typed.error).toMatchObject({
      status: 400,
      message: expect.stringMatching(/invalid input syntax for type integer/),
    });
    const batch = await ann.from("app.my_table").insert([
      { value: "ok", score: 1 },
      { value: "bad", score: "x" },
    ]);
    expect(batch.error?.status).toBe(400);
    expect((await ann.from("app.my_table").insert({ value: "" })).error?.status).toBe(400);
    expect(
      (await ann.from("app.my_table").insert({ value: "dup", slug: "third" })).error?.status,
    ).toBe(409);
    expect((await t.service.from("app.my_table").insert({ value: "no user" })).error).toMatchObject(
      { status: 400, code: "23502" },
    );
    expect((await ann.from("app.my_table").insert({ nope: 1 })).error?.status).toBe(400);
    expect(await countRows()).toBe(before);
  });

  it("refuses update and delete without filters", async () => {
    const before = await countRows();
    const update = await ann.from("app.my_table").update({ value: "all" });
    expect(update.error).toMatchObject({
      status: 400,
      message: expect.stringMatching(/UPDATE without filters is refused/),
    });
    const del = await t.service.from("app.my_table").delete();
    expect(del.error).toMatchObject({
      status: 400,
      message: expect.stringMatching(/DELETE without filters is refused/),
    });
    expect(await countRows()).toBe(before);
    expect(await countRows("value = 'all'")).toBe(0);
  });
});
