import { describe, it, expect } from "vitest";
import {
  applyAnnotationDefaults,
  matchAnnotationLine,
  parseAnnotations,
  validateSchedule,
} from "./annotations.ts";

const cleanupJob = `/**
 * Cleanup old data daily at 2 AM
 * @fluxbase:schedule 0 2 * * *
 * @fluxbase:require-role admin
 * @fluxbase:timeout 1800
 */
export async function handler(req, fluxbase, fluxbaseService, job) {}
`;

describe("parseAnnotations: the guide's examples", () => {
  it("reads a JSDoc schedule followed by another annotation line as daily at 02:00", () => {
    const { annotations, errors, warnings } = parseAnnotations(cleanupJob);
    expect(annotations).toEqual({
      schedule: "0 2 * * *",
      requireRoles: ["admin"],
      timeoutSeconds: 1800,
    });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it("reads a one-line JSDoc without the closing */", () => {
    expect(
      parseAnnotations("/** @fluxbase:require-role admin */\nexport function handler() {}")
        .annotations,
    ).toEqual({
      requireRoles: ["admin"],
    });
  });

  it("reads a multi-word description and the timeout", () => {
    const source = `/**
* Process user data
* @fluxbase:timeout 300
* @fluxbase:description Processes user-specific data items
*/`;
    expect(parseAnnotations(source).annotations).toEqual({
      timeoutSeconds: 300,
      description: "Processes user-specific data items",
    });
  });

  it("reads // comments and a schedule closing its block on the same line", () => {
    const source = [
      "// @fluxbase:schedule */15 * * * *",
      "// @fluxbase:max-retries 2",
      "/* @fluxbase:schedule-timezone Europe/Paris */",
    ].join("\n");
    expect(parseAnnotations(source).annotations).toEqual({
      schedule: "*/15 * * * *",
      maxRetries: 2,
      scheduleTimezone: "Europe/Paris",
    });
    expect(parseAnnotations("/** @fluxbase:schedule 0 3 * * * */").annotations.schedule).toBe(
      "0 3 * * *",
    );
  });
});

describe("parseAnnotations: every annotation", () => {
  it("reads each name and value", () => {
    const source = `/**
 * @fluxbase:require-role admin, editor ,authenticated
 * @fluxbase:timeout 60
 * @fluxbase:max-retries 0
 * @fluxbase:schedule   0  0  *  *  1
 * @fluxbase:schedule-timezone America/New_York
 * @fluxbase:schedule-params {"retention_days": 7, "tags": ["a"]}
 * @fluxbase:description Nightly cleanup
 * @fluxbase:allow-net false
 * @fluxbase:allow-env false
 * @fluxbase:allow-read
 * @fluxbase:allow-write true
 * @fluxbase:memory 512
 * @fluxbase:progress-timeout 120
 * @fluxbase:enabled false
 * @fluxbase:disable-execution-logs
 * @fluxbase:namespace reports
 * @fluxbase:allow-overlap
 */`;
    const { annotations, errors, warnings } = parseAnnotations(source);
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(annotations).toEqual({
      requireRoles: ["admin", "editor", "authenticated"],
      timeoutSeconds: 60,
      maxRetries: 0,
      schedule: "0 0 * * 1",
      scheduleTimezone: "America/New_York",
      scheduleParams: { retention_days: 7, tags: ["a"] },
      description: "Nightly cleanup",
      allowNet: false,
      allowEnv: false,
      allowRead: true,
      allowWrite: true,
      memoryLimitMb: 512,
      progressTimeoutSeconds: 120,
      enabled: false,
      disableExecutionLogs: true,
      namespace: "reports",
      allowOverlap: true,
    });
  });

  it("treats disable-execution-logs false as false (upstream enables it)", () => {
    expect(parseAnnotations("// @fluxbase:disable-execution-logs false").annotations).toEqual({
      disableExecutionLogs: false,
    });
  });

  it("accepts 6-field (seconds first) expressions and descriptors", () => {
    expect(validateSchedule("0 30 2 * * *")).toEqual({ value: "0 30 2 * * *" });
    expect(validateSchedule("@daily")).toEqual({ value: "@daily" });
    // Seconds-level schedules are allowed (minimum interval 1 s), unlike upstream.
    expect(validateSchedule("*/1 * * * * *")).toEqual({ value: "*/1 * * * * *" });
    expect(validateSchedule("* * * * * *")).toEqual({ value: "* * * * * *" });
    expect(validateSchedule("@HOURLY")).toEqual({ value: "@hourly" });
    expect(validateSchedule("0 9 * * MON-FRI")).toEqual({ value: "0 9 * * MON-FRI" });
  });

  it("ignores annotations that are not at the start of a comment, and near-miss names", () => {
    const source =
      'const s = "see @fluxbase:timeout 5";\n// @fluxbase:timeout5\n// note: @fluxbase:timeout 9';
    const parsed = parseAnnotations(source);
    expect(parsed.annotations).toEqual({});
    expect(parsed.warnings).toEqual([
      { line: 2, annotation: "timeout5", message: "unknown annotation @fluxbase:timeout5" },
    ]);
  });
});

describe("parseAnnotations: errors and warnings", () => {
  it.each([
    ["timeout", "5m", 'expects a whole number of seconds from 1 to 86400, got "5m"'],
    ["timeout", "0", 'expects a whole number of seconds from 1 to 86400, got "0"'],
    ["timeout", "", 'expects a whole number of seconds from 1 to 86400, got ""'],
    [
      "timeout",
      "99999999999",
      'expects a whole number of seconds from 1 to 86400, got "99999999999"',
    ],
    ["max-retries", "-1", 'expects a whole number of retries from 0 to 100, got "-1"'],
    ["max-retries", "101", 'expects a whole number of retries from 0 to 100, got "101"'],
    ["memory", "1.5", 'expects a whole number of megabytes from 16 to 16384, got "1.5"'],
    [
      "memory",
      "999999999",
      'expects a whole number of megabytes from 16 to 16384, got "999999999"',
    ],
    ["memory", "8", 'expects a whole number of megabytes from 16 to 16384, got "8"'],
    ["progress-timeout", "soon", 'expects a whole number of seconds from 1 to 86400, got "soon"'],
    ["progress-timeout", "86401", 'expects a whole number of seconds from 1 to 86400, got "86401"'],
    ["schedule", "*/0 * * * *", 'invalid cron expression "*/0 * * * *"'],
    ["schedule", "@every 1s", 'unsupported descriptor "@every 1s"'],
    [
      "allow-net",
      "nope",
      'expects true, false, or hosts such as db.internal, db:5432 or 10.0.0.5, got "nope"',
    ],
    [
      "allow-net",
      "127.0.0.1:5432, :80",
      'expects host, host:port, IPv4 or [IPv6] (with an optional :port), got ":80"',
    ],
    [
      "allow-net",
      "::1",
      'expects host, host:port, IPv4 or [IPv6] (with an optional :port), got "::1"',
    ],
    [
      "allow-net",
      "[::1",
      'expects host, host:port, IPv4 or [IPv6] (with an optional :port), got "[::1"',
    ],
    [
      "allow-net",
      "[nothex]:80",
      'expects host, host:port, IPv4 or [IPv6] (with an optional :port), got "[nothex]:80"',
    ],
    ["allow-net", "db.internal:0", 'port must be from 1 to 65535, got "db.internal:0"'],
    ["allow-net", "db.internal:70000", 'port must be from 1 to 65535, got "db.internal:70000"'],
    [
      "allow-net",
      "db.internal, ",
      'expects host, host:port, IPv4 or [IPv6] (with an optional :port), got ""',
    ],
    [
      "allow-net",
      "http://db.internal",
      'expects host, host:port, IPv4 or [IPv6] (with an optional :port), got "http://db.internal"',
    ],
    [
      "allow-net",
      "bad_host.internal",
      'expects host, host:port, IPv4 or [IPv6] (with an optional :port), got "bad_host.internal"',
    ],
    [
      "allow-net",
      "127.0.0.256",
      'expects host, host:port, IPv4 or [IPv6] (with an optional :port), got "127.0.0.256"',
    ],
    ["enabled", "0", 'expects true or false (or nothing, meaning true), got "0"'],
    [
      "schedule",
      "every day",
      'expects a cron expression of 5 fields (or 6 with seconds first), got "every day"',
    ],
    ["schedule", "61 * * * *", 'invalid cron expression "61 * * * *"'],
    ["schedule", "0 0 31 2 *", 'invalid cron expression "0 0 31 2 *"'],
    ["schedule", "@every 1h", 'unsupported descriptor "@every 1h"'],
    ["schedule", "", "expects a cron expression of 5 fields"],
    ["schedule-timezone", "Mars/Olympus", 'unknown time zone "Mars/Olympus"'],
    ["schedule-params", "[1,2]", 'expects a JSON object on one line, got "[1,2]"'],
    ["schedule-params", "{bad}", 'expects a JSON object on one line, got "{bad}"'],
    ["require-role", " , ", "expects a comma-separated list of roles"],
    ["require-role", "admin user", 'role names cannot contain spaces, got "admin user"'],
    ["namespace", "-bad", "expects a namespace name"],
    ["description", "", "expects a description"],
  ])("@fluxbase:%s %s is an error, and the value stays unset", (name, value, message) => {
    const { annotations, errors } = parseAnnotations(
      `// first line\n// @fluxbase:${name} ${value}\n`,
    );
    expect(annotations).toEqual({});
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 2, annotation: name });
    expect(errors[0]?.message).toContain(`@fluxbase:${name} ${message}`);
  });

  it("warns about unknown names and duplicates; the first occurrence wins", () => {
    const source = "// @fluxbase:xyz 1\n// @fluxbase:timeout 10\n// @fluxbase:timeout 20";
    const { annotations, warnings } = parseAnnotations(source);
    expect(annotations).toEqual({ timeoutSeconds: 10 });
    expect(warnings).toEqual([
      { line: 1, annotation: "xyz", message: "unknown annotation @fluxbase:xyz" },
      {
        line: 3,
        annotation: "timeout",
        message: "duplicate @fluxbase:timeout; the one on line 2 is used",
      },
    ]);
  });

  it("warns about schedule params or time zone without a schedule", () => {
    const { warnings } = parseAnnotations(
      '// @fluxbase:schedule-params {"a":1}\n// @fluxbase:schedule-timezone UTC',
    );
    expect(warnings.map((w) => w.annotation)).toEqual(["schedule-params", "schedule-timezone"]);
  });

  it("handles CRLF line endings", () => {
    expect(parseAnnotations("/**\r\n * @fluxbase:timeout 5\r\n */\r\n").annotations).toEqual({
      timeoutSeconds: 5,
    });
  });
});

describe("matchAnnotationLine", () => {
  it("strips comment prefixes and a trailing */", () => {
    expect(matchAnnotationLine("   * @fluxbase:timeout 5 */")).toEqual({
      name: "timeout",
      value: "5",
    });
    expect(matchAnnotationLine("/**@fluxbase:allow-net*/")).toEqual({
      name: "allow-net",
      value: "",
    });
    expect(matchAnnotationLine("//// @fluxbase:enabled")).toEqual({ name: "enabled", value: "" });
    expect(matchAnnotationLine("export const x = 1;")).toBeNull();
  });
});

describe("@fluxbase:allow-net with hosts", () => {
  it("reads a comma-separated list of host, host:port, IPv4 and [IPv6]; allow_net stays on", () => {
    const { annotations, errors } = parseAnnotations(
      "// @fluxbase:allow-net 127.0.0.1:5432, DB.internal ,[::1]:8080, localhost, db:6379, 10.0.0.5, 127.0.0.1:5432\n",
    );
    expect(errors).toEqual([]);
    expect(annotations).toEqual({
      allowNet: true,
      allowNetHosts: [
        "127.0.0.1:5432",
        "db.internal",
        "[::1]:8080",
        "localhost",
        "db:6379",
        "10.0.0.5",
      ],
    });
  });

  it.each([
    ["", true],
    ["true", true],
    ["FALSE", false],
  ])("@fluxbase:allow-net %s keeps its flag meaning and names no hosts", (value, allowNet) => {
    expect(parseAnnotations(`// @fluxbase:allow-net ${value}`).annotations).toEqual({ allowNet });
  });

  it("a bad entry is an error naming the annotation and line, and no hosts are kept", () => {
    const { annotations, errors } = parseAnnotations(
      "// x\n// @fluxbase:allow-net db.internal, 10.0.0.5:99999",
    );
    expect(annotations).toEqual({});
    expect(errors).toEqual([
      {
        line: 2,
        annotation: "allow-net",
        message: '@fluxbase:allow-net port must be from 1 to 65535, got "10.0.0.5:99999"',
      },
    ]);
  });

  it("the settings carry the hosts", () => {
    const a = parseAnnotations("// @fluxbase:allow-net 10.0.0.5").annotations;
    expect(
      applyAnnotationDefaults(a, {
        defaultTimeoutSeconds: 1,
        defaultMaxRetries: 0,
        defaultProgressTimeoutSeconds: 1,
      }),
    ).toMatchObject({
      allowNet: true,
      allowNetHosts: ["10.0.0.5"],
    });
  });
});

describe("applyAnnotationDefaults", () => {
  const config = {
    defaultTimeoutSeconds: 300,
    defaultMaxRetries: 3,
    defaultProgressTimeoutSeconds: 300,
  };

  it("fills every default from the server config and the documented constants", () => {
    expect(applyAnnotationDefaults({}, config)).toEqual({
      description: null,
      schedule: null,
      scheduleTimezone: null,
      scheduleParams: null,
      timeoutSeconds: 300,
      maxRetries: 3,
      progressTimeoutSeconds: 300,
      memoryLimitMb: 256,
      allowNet: true,
      allowNetHosts: [],
      allowEnv: true,
      allowRead: false,
      allowWrite: false,
      enabled: true,
      disableExecutionLogs: false,
      requireRoles: [],
      namespace: null,
      allowOverlap: false,
    });
  });

  it("keeps annotated values, including falsy ones", () => {
    const settings = applyAnnotationDefaults(
      parseAnnotations(cleanupJob + "// @fluxbase:max-retries 0\n// @fluxbase:allow-net false")
        .annotations,
      { ...config, defaultTimeoutSeconds: 60 },
    );
    expect(settings).toMatchObject({
      schedule: "0 2 * * *",
      requireRoles: ["admin"],
      timeoutSeconds: 1800,
      maxRetries: 0,
      allowNet: false,
    });
  });
});
