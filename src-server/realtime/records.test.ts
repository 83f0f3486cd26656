import { describe, expect, it } from "vitest";
import { jobRecordForWire, parseChangeNotification, parseLogNotification } from "./records.ts";

describe("jobRecordForWire", () => {
  it("adds progress_percent, progress_message and the time left of a running job", () => {
    const record = jobRecordForWire(
      {
        id: "j",
        status: "running",
        started_at: "2025-01-01T00:00:00+00:00",
        progress: { percent: 25, message: "1/4" },
      },
      "2025-01-01T00:00:10+00:00",
    );
    expect(record).toMatchObject({
      progress_percent: 25,
      progress_message: "1/4",
      estimated_seconds_left: 30,
    });
  });

  it("parses string progress and gives a job without progress an empty one", () => {
    expect(jobRecordForWire({ id: "j", progress: '{"percent":5}' }, "")).toMatchObject({
      progress: { percent: 5 },
      progress_percent: 5,
    });
    const pending = jobRecordForWire({ id: "j", status: "pending", progress: null }, "");
    expect(pending!.progress).toEqual({ percent: 0, message: "" });
    expect(pending).not.toHaveProperty("progress_percent");
    expect(jobRecordForWire(null, "")).toBeNull();
  });
});

describe("notifications", () => {
  it("parses row changes, truncated ones and log lines", () => {
    expect(
      parseChangeNotification(
        '{"schema":"jobs","table":"queue","type":"UPDATE","commit_timestamp":"t","record":{"id":"j"},"old_record":null}',
      ),
    ).toEqual({
      schema: "jobs",
      table: "queue",
      type: "UPDATE",
      commit_timestamp: "t",
      record: { id: "j" },
      old_record: null,
    });
    expect(
      parseChangeNotification(
        '{"schema":"jobs","table":"queue","type":"DELETE","truncated":true,"id":"j"}',
      ),
    ).toMatchObject({
      truncated: true,
      id: "j",
      record: null,
    });
    expect(
      parseChangeNotification('{"schema":"jobs","table":"queue","type":"TRUNCATE"}'),
    ).toBeUndefined();
    expect(
      parseLogNotification(
        '{"execution_id":"e","line_number":3,"level":"info","message":"hi","timestamp":"t"}',
      ),
    ).toEqual({
      execution_id: "e",
      line_number: 3,
      level: "info",
      message: "hi",
      timestamp: "t",
    });
    expect(parseLogNotification('{"execution_id":"e"}')).toBeUndefined();
  });
});
