// Cron in the browser: validate with the server's rules (src-shared/annotations.ts: 5
// fields, or 6 with seconds first, or a descriptor; at most once a second), plan the next
// fire times, and say it in words. The expressions are read as on the server
// (src-shared/cron.ts), with cron-parser.
import { CronExpressionParser } from "cron-parser";
import { validateSchedule } from "../../src-shared/annotations.ts";
import { cronReader, splitSchedule } from "../../src-shared/cron.ts";

export type CronCheck = { ok: true; cron: string } | { ok: false; error: string };

const reader = cronReader(CronExpressionParser);

/** The first five fire times from 2000-01-01 UTC, as the shared rules read a schedule. */
export const planCron = reader.plan;

export function validateCron(value: string): CronCheck {
  const checked = validateSchedule(value, planCron);
  return "error" in checked
    ? { ok: false, error: checked.error }
    : { ok: true, cron: checked.value };
}

/** The next `count` fire times after `after` (in `timezone`, else local); [] if invalid. */
export function nextFireTimes(cron: string, after: Date, count = 5, timezone?: string): Date[] {
  try {
    return reader.nextRuns({ cron: splitSchedule(cron).cron, timezone }, after, count);
  } catch {
    return [];
  }
}

const DAYS = [
  "Sunday",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
];
const MONTHS = [
  "",
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DESCRIPTOR_WORDS: Record<string, string> = {
  "@yearly": "once a year, at 00:00 on 1 January",
  "@annually": "once a year, at 00:00 on 1 January",
  "@monthly": "once a month, at 00:00 on day 1",
  "@weekly": "once a week, at 00:00 on Sunday",
  "@daily": "every day at 00:00",
  "@hourly": "every hour, at minute 0",
};

const pad = (n: string) => n.padStart(2, "0");
const isNum = (f: string) => /^\d+$/.test(f);
const named = (f: string, names: string[]) =>
  f
    .split(",")
    .map((part) =>
      part
        .split("-")
        .map((v) => (isNum(v) ? (names[Number(v)] ?? v) : v))
        .join(" to "),
    )
    .join(", ");

function timePart(minute: string, hour: string, second: string | undefined): string {
  const sec = second && second !== "0" ? ` and ${second} seconds` : "";
  if (isNum(minute) && isNum(hour))
    return `at ${pad(hour)}:${pad(minute)}${second && isNum(second) && second !== "0" ? `:${pad(second)}` : sec}`;
  const step = /^\*\/(\d+)$/;
  let text: string;
  if (minute === "*") text = "every minute";
  else if (step.test(minute)) text = `every ${step.exec(minute)![1]} minutes`;
  else text = isNum(minute) ? `at minute ${minute}` : `at minutes ${minute}`;
  if (hour === "*") text += minute === "*" || step.test(minute) ? "" : " of every hour";
  else if (step.test(hour)) text += ` of every ${step.exec(hour)![1]}th hour`;
  else text += isNum(hour) ? ` during hour ${hour}` : ` during hours ${hour}`;
  if (second !== undefined && second !== "0") {
    if (second === "*")
      return minute === "*" && hour === "*" ? "every second" : `every second, ${text}`;
    if (step.test(second))
      return `every ${step.exec(second)![1]} seconds${minute === "*" && hour === "*" ? "" : `, ${text}`}`;
    text += sec;
  }
  return text;
}

/** "0 2 * * *" → "every day at 02:00". Best effort; falls back to the expression. */
export function cronInWords(value: string): string {
  const check = validateCron(splitSchedule(value).cron);
  if (!check.ok) return value;
  if (check.cron.startsWith("@")) return DESCRIPTOR_WORDS[check.cron] ?? check.cron;
  const fields = check.cron.split(" ");
  const second = fields.length === 6 ? fields.shift() : undefined;
  const [minute = "*", hour = "*", dom = "*", month = "*", dow = "*"] = fields;
  let text = timePart(minute, hour, second);
  const daily = isNum(minute) && isNum(hour);
  if (dom === "*" && dow === "*") text = daily ? `every day ${text}` : text;
  if (dom !== "*")
    text += dom.startsWith("*/") ? `, every ${dom.slice(2)} days` : `, on day ${dom} of the month`;
  if (dow !== "*") {
    const days =
      dow === "1-5" ? "weekdays" : dow === "0,6" || dow === "6,0" ? "weekends" : named(dow, DAYS);
    text += `${dom !== "*" ? " or" : ","} on ${days}`;
  }
  if (month !== "*") text += `, in ${named(month, MONTHS)}`;
  return text;
}
