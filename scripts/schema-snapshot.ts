// `npm run schema:snapshot`: migrates a throwaway embedded PostgreSQL from scratch and
// writes what the migrations build (schemas, tables, columns, constraints, indexes,
// triggers, functions, views, policies, grants) to migrations/schema.snapshot.txt, read
// from pg_catalog in a stable order. The committed file is compared by
// test/integration/schema-snapshot.test.ts, so a schema change shows up in review as a
// diff of this file. After adding or merging a migration, run this one command.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startEmbeddedPostgres } from "../src-server/db/embedded.ts";
import { migrate } from "../src-server/db/migrate.ts";
import { createDb, type Queryable } from "../src-server/db/connections.ts";

export const SNAPSHOT_PATH = fileURLToPath(
  new URL("../migrations/schema.snapshot.txt", import.meta.url),
);

/** Our schemas: everything but PostgreSQL's own. */
const OURS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg_temp_%' AND n.nspname NOT LIKE 'pg_toast_temp_%'`;

/** Objects an extension owns are the extension's, not ours. */
const NOT_EXTENSION = (catalog: string, oid: string) =>
  `NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '${catalog}'::regclass
     AND d.objid = ${oid} AND d.deptype = 'e')`;

const SECTIONS: { title: string; sql: string }[] = [
  {
    title: "schemas",
    sql: `SELECT n.nspname AS line FROM pg_namespace n WHERE ${OURS} ORDER BY 1`,
  },
  {
    title: "extensions",
    sql: `SELECT extname || ' in ' || extnamespace::regnamespace AS line FROM pg_extension ORDER BY 1`,
  },
  {
    title: "types",
    sql: `SELECT format_type(t.oid, NULL) || ' ' || CASE t.typtype
        WHEN 'e' THEN 'enum (' || (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                                  FROM pg_enum e WHERE e.enumtypid = t.oid) || ')'
        WHEN 'd' THEN 'domain ' || format_type(t.typbasetype, t.typtypmod)
        ELSE 'composite' END AS line
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE ${OURS} AND (t.typtype IN ('e', 'd') OR (t.typtype = 'c' AND
        (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))
        AND ${NOT_EXTENSION("pg_type", "t.oid")}
      ORDER BY 1`,
  },
  {
    title: "relations",
    sql: `SELECT format('%s %s%s%s acl=%s', c.oid::regclass,
        CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
          WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence' ELSE c.relkind::text END,
        CASE WHEN c.relrowsecurity THEN ' rls' ELSE '' END,
        CASE WHEN c.relforcerowsecurity THEN ' force-rls' ELSE '' END,
        coalesce(c.relacl::text, '{}')) AS line
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${OURS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND ${NOT_EXTENSION("pg_class", "c.oid")}
      ORDER BY 1`,
  },
  {
    title: "columns",
    sql: `SELECT format('%s.%s %s%s%s%s', c.oid::regclass, quote_ident(a.attname),
        format_type(a.atttypid, a.atttypmod),
        CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
        CASE WHEN a.attgenerated = 's' THEN ' generated ' || pg_get_expr(ad.adbin, ad.adrelid)
             WHEN ad.adbin IS NOT NULL THEN ' default ' || pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END,
        CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END) AS line
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
      WHERE ${OURS} AND c.relkind IN ('r', 'p', 'v', 'm') AND a.attnum > 0 AND NOT a.attisdropped
        AND ${NOT_EXTENSION("pg_class", "c.oid")}
      ORDER BY c.oid::regclass::text, a.attnum`,
  },
  {
    title: "constraints",
    sql: `SELECT format('%s %s %s', co.conrelid::regclass, quote_ident(co.conname), pg_get_constraintdef(co.oid)) AS line
      FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
      WHERE ${OURS} AND co.conrelid <> 0 AND co.contype <> 'n'
      ORDER BY 1`,
  },
  {
    title: "indexes",
    sql: `SELECT pg_get_indexdef(i.indexrelid) AS line
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${OURS} AND ${NOT_EXTENSION("pg_class", "i.indrelid")}
      ORDER BY 1`,
  },
  {
    title: "triggers",
    sql: `SELECT pg_get_triggerdef(t.oid) ||
        CASE t.tgenabled WHEN 'D' THEN ' -- disabled' WHEN 'R' THEN ' -- replica' WHEN 'A' THEN ' -- always' ELSE '' END AS line
      FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${OURS} AND NOT t.tgisinternal
      ORDER BY 1`,
  },
  {
    title: "policies",
    sql: `SELECT format('%s %s %s %s to %s using (%s) with check (%s)', p.polrelid::regclass, quote_ident(p.polname),
        CASE WHEN p.polpermissive THEN 'permissive' ELSE 'restrictive' END,
        CASE p.polcmd WHEN 'r' THEN 'select' WHEN 'a' THEN 'insert' WHEN 'w' THEN 'update' WHEN 'd' THEN 'delete' ELSE 'all' END,
        (SELECT string_agg(CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END, ', ' ORDER BY 1) FROM unnest(p.polroles) r),
        coalesce(pg_get_expr(p.polqual, p.polrelid), ''), coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')) AS line
      FROM pg_policy p
      ORDER BY 1`,
  },
  {
    title: "views",
    sql: `SELECT format('%s AS%s', c.oid::regclass, pg_get_viewdef(c.oid)) AS line
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${OURS} AND c.relkind IN ('v', 'm') AND ${NOT_EXTENSION("pg_class", "c.oid")}
      ORDER BY 1`,
  },
  {
    title: "functions",
    sql: `SELECT pg_get_functiondef(p.oid) || coalesce(E'\\n-- acl ' || p.proacl::text, '') AS line
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE ${OURS} AND p.prokind IN ('f', 'p') AND ${NOT_EXTENSION("pg_proc", "p.oid")}
      ORDER BY p.oid::regprocedure::text`,
  },
  {
    title: "schema grants",
    sql: `SELECT n.nspname || ' acl=' || coalesce(n.nspacl::text, '{}') AS line
      FROM pg_namespace n WHERE ${OURS} ORDER BY 1`,
  },
];

/** The schema the database holds, as stable text. */
export async function schemaSnapshot(db: Queryable): Promise<string> {
  const parts = [
    "# What the migrations build, read from pg_catalog. Regenerate: npm run schema:snapshot",
  ];
  for (const section of SECTIONS) {
    const rows = await db.query<{ line: string }>(section.sql);
    parts.push("", `## ${section.title}`, ...rows.map((r) => r.line.trimEnd()));
  }
  return parts.join("\n") + "\n";
}

/** Migrates a fresh throwaway cluster and returns its snapshot. */
export async function freshSchemaSnapshot(): Promise<string> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "fluxbase-schema-"));
  const pg = await startEmbeddedPostgres({
    dataDir,
    database: "fluxbase_schema",
    settings: { fsync: "off", synchronous_commit: "off", full_page_writes: "off" },
  });
  const db = createDb({ connectionString: pg.connectionString, max: 1 });
  try {
    await migrate({ db });
    return await schemaSnapshot(db);
  } finally {
    await db.end();
    await pg.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await writeFile(SNAPSHOT_PATH, await freshSchemaSnapshot());
  process.stdout.write(`wrote ${path.relative(process.cwd(), SNAPSHOT_PATH)}\n`);
}
