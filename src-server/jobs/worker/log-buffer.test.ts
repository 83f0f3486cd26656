import { describe, expect, it } from "vitest";
import type { Db } from "../../db/connections.ts";
import { createLogBuffer } from "./log-buffer.ts";

/** A Db that records the messages appended (the statement's third parameter). */
function recordingDb() {
  const messages: string[] = [];
  const db = {
    query: async (_text: string, values?: unknown[]) => {
      messages.push(...((values?.[2] as string[]) ?? []));
      return [];
    },
  } as unknown as Db;
  return { db, messages };
}

describe("log buffer caps", () => {
  it("stops at the line cap with one closing line, and still takes the server's notes", async () => {
    const { db, messages } = recordingDb();
    const logs = createLogBuffer({ db, jobId: "j", maxLines: 3 });
    for (let i = 1; i <= 10; i++) logs.add("info", `line ${i}`);
    logs.note("error", "Attempt 1 failed: timeout");
    await logs.close();
    expect(messages).toEqual([
      "line 1",
      "line 2",
      "line 3",
      "[log truncated: the job's log reached its limit of 3 lines; further lines are not stored]",
      "Attempt 1 failed: timeout",
    ]);
    expect(logs.dropped()).toBe(7);
  });

  it("stops at the byte cap", async () => {
    const { db, messages } = recordingDb();
    const logs = createLogBuffer({ db, jobId: "j", maxBytes: 10 });
    logs.add("info", "12345");
    logs.add("info", "é2345"); // 6 bytes: 11 in all
    await logs.close();
    expect(messages).toEqual([
      "12345",
      "[log truncated: the job's log reached its limit of 10 bytes; further lines are not stored]",
    ]);
  });

  it("counts what earlier attempts stored", async () => {
    const { db, messages } = recordingDb();
    const logs = createLogBuffer({ db, jobId: "j", maxLines: 3, used: { lines: 3, bytes: 30 } });
    logs.add("info", "attempt 2");
    logs.add("info", "more");
    await logs.close();
    expect(messages).toEqual([
      "[log truncated: the job's log reached its limit of 3 lines; further lines are not stored]",
    ]);
  });

  it("cuts a long line on a character boundary", async () => {
    const { db, messages } = recordingDb();
    const logs = createLogBuffer({ db, jobId: "j", maxLineBytes: 4 });
    logs.add("info", "aéé");
    await logs.close();
    expect(messages).toEqual(["aé… [2 more bytes]"]);
  });
});
