import { describe, expect, it } from "vitest";
import { dueFire, latestRunAtOrBefore, msUntilNext, nextRuns, splitSchedule } from "./plan.ts";

const at = (iso: string) => new Date(iso);
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe("nextRuns", () => {
  it("5-field: every 15 minutes, in UTC", () => {
    const runs = nextRuns({ cron: "*/15 * * * *", timezone: "UTC" }, at("2026-01-01T10:07:30Z"), 3);
    expect(iso(runs)).toEqual([
      "2026-01-01T10:15:00.000Z",
      "2026-01-01T10:30:00.000Z",
      "2026-01-01T10:45:00.000Z",
    ]);
  });

  it("6-field with seconds first: every second", () => {
    const runs = nextRuns(
      { cron: "*/1 * * * * *", timezone: "UTC" },
      at("2026-01-01T10:00:00.400Z"),
      3,
    );
    expect(iso(runs)).toEqual([
      "2026-01-01T10:00:01.000Z",
      "2026-01-01T10:00:02.000Z",
      "2026-01-01T10:00:03.000Z",
    ]);
  });

  it("the guide's 0 2 * * * is daily at 02:00 in the given zone", () => {
    const runs = nextRuns(
      { cron: "0 2 * * *", timezone: "Europe/Paris" },
      at("2026-01-10T12:00:00Z"),
      5,
    );
    // Paris is UTC+1 in January.
    expect(iso(runs)).toEqual([
      "2026-01-11T01:00:00.000Z",
      "2026-01-12T01:00:00.000Z",
      "2026-01-13T01:00:00.000Z",
      "2026-01-14T01:00:00.000Z",
      "2026-01-15T01:00:00.000Z",
    ]);
  });

  it("honours the zone across a DST change (02:00 local, before and after)", () => {
    const runs = nextRuns(
      { cron: "0 2 * * *", timezone: "America/New_York" },
      at("2026-03-07T12:00:00Z"),
      3,
    );
    // EST (UTC-5) until 8 March 2026, then EDT (UTC-4); 02:00 on the 8th does not exist
    // and fires once, at the first instant after the gap.
    expect(runs[0]?.toISOString()).toBe("2026-03-08T07:00:00.000Z");
    expect(iso(runs.slice(1))).toEqual(["2026-03-09T06:00:00.000Z", "2026-03-10T06:00:00.000Z"]);
    expect(new Set(iso(runs)).size).toBe(3);
  });

  it("descriptors: @daily and @hourly", () => {
    expect(
      iso(nextRuns({ cron: "@daily", timezone: "UTC" }, at("2026-01-01T10:00:00Z"), 2)),
    ).toEqual(["2026-01-02T00:00:00.000Z", "2026-01-03T00:00:00.000Z"]);
    expect(
      iso(nextRuns({ cron: "@hourly", timezone: "UTC" }, at("2026-01-01T10:00:00Z"), 1)),
    ).toEqual(["2026-01-01T11:00:00.000Z"]);
  });

  it("throws on an invalid expression", () => {
    expect(() => nextRuns({ cron: "61 * * * *" }, at("2026-01-01T00:00:00Z"), 1)).toThrow();
  });
});

describe("latestRunAtOrBefore / msUntilNext", () => {
  it("includes an instant equal to the time given", () => {
    const spec = { cron: "0 * * * * *", timezone: "UTC" };
    expect(latestRunAtOrBefore(spec, at("2026-01-01T10:01:00Z"))?.toISOString()).toBe(
      "2026-01-01T10:01:00.000Z",
    );
    expect(latestRunAtOrBefore(spec, at("2026-01-01T10:01:59Z"))?.toISOString()).toBe(
      "2026-01-01T10:01:00.000Z",
    );
    expect(msUntilNext(spec, at("2026-01-01T10:01:59.250Z"))).toBe(750);
  });
});

describe("dueFire", () => {
  const every = { cron: "*/1 * * * * *", timezone: "UTC", firstSightGraceMs: 1000 };
  const daily = { cron: "0 2 * * *", timezone: "UTC", firstSightGraceMs: 1000 };

  it("nothing is due before the next instant", () => {
    const now = at("2026-01-01T10:00:05.400Z");
    expect(dueFire({ ...every, lastScheduledFor: at("2026-01-01T10:00:05Z"), now })).toBeNull();
  });

  it("fires the instant that has just passed, once", () => {
    const last = at("2026-01-01T10:00:05Z");
    const due = dueFire({ ...every, lastScheduledFor: last, now: at("2026-01-01T10:00:06.010Z") });
    expect(due).toEqual({ scheduledFor: at("2026-01-01T10:00:06Z"), skippedEarlier: false });
    expect(
      dueFire({
        ...every,
        lastScheduledFor: due!.scheduledFor,
        now: at("2026-01-01T10:00:06.300Z"),
      }),
    ).toBeNull();
  });

  it("after downtime, at most ONE catch-up run: the latest missed instant", () => {
    const due = dueFire({
      ...daily,
      lastScheduledFor: at("2026-01-01T02:00:00Z"),
      now: at("2026-01-05T09:00:00Z"),
    });
    expect(due).toEqual({ scheduledFor: at("2026-01-05T02:00:00Z"), skippedEarlier: true });
    // Having fired it, nothing else is due until the next day.
    expect(
      dueFire({ ...daily, lastScheduledFor: due!.scheduledFor, now: at("2026-01-05T09:00:01Z") }),
    ).toBeNull();
  });

  it("a schedule seen for the first time only fires instants inside the grace window", () => {
    expect(
      dueFire({ ...daily, lastScheduledFor: null, now: at("2026-01-05T09:00:00Z") }),
    ).toBeNull();
    const due = dueFire({ ...daily, lastScheduledFor: null, now: at("2026-01-05T02:00:00.300Z") });
    expect(due?.scheduledFor).toEqual(at("2026-01-05T02:00:00Z"));
  });

  it("a fake clock stepping 250 ms fires each second exactly once", () => {
    let last: Date | null = at("2026-01-01T10:00:00Z");
    const fired: string[] = [];
    for (let ms = 0; ms <= 5000; ms += 250) {
      const due = dueFire({
        ...every,
        lastScheduledFor: last,
        now: new Date(Date.parse("2026-01-01T10:00:00Z") + ms),
      });
      if (due) {
        fired.push(due.scheduledFor.toISOString());
        last = due.scheduledFor;
      }
    }
    expect(fired).toEqual([1, 2, 3, 4, 5].map((s) => `2026-01-01T10:00:0${s}.000Z`));
  });
});

describe("splitSchedule", () => {
  it("separates upstream's <cron>|<json> params", () => {
    expect(splitSchedule('0 2 * * *|{"days":7}')).toEqual({
      cron: "0 2 * * *",
      params: { days: 7 },
    });
    expect(splitSchedule(" @daily ")).toEqual({ cron: "@daily", params: null });
    expect(splitSchedule("@daily|[1]")).toEqual({ cron: "@daily", params: null });
  });
});
