import { describe, expect, it } from "vitest";
import { describeSchedule } from "./schedule";

describe("describeSchedule", () => {
  it.each([
    // the brief's examples
    ["*/30 * * * * *", null, "every 30 s, UTC"],
    ["0 2 * * *", "Asia/Seoul", "at 02:00 every day, Asia/Seoul"],
    ["5 * * * *", null, "at minute 5 of every hour, UTC"],
    // seconds and minutes
    ["* * * * * *", null, "every second, UTC"],
    ["0 * * * * *", null, "every minute, UTC"],
    ["* * * * *", "UTC", "every minute, UTC"],
    ["*/5 * * * *", null, "every 5 min, UTC"],
    ["0/15 * * * *", null, "every 15 min, UTC"],
    ["*/1 * * * *", null, "every minute, UTC"],
    ["15 */10 * * * *", null, "every 10 min at second 15, UTC"],
    ["0,30 * * * * *", null, "at seconds 0 and 30 of every minute, UTC"],
    // hours
    ["0 * * * *", null, "at minute 0 of every hour, UTC"],
    ["0,15,30,45 * * * *", null, "at minutes 0, 15, 30 and 45 of every hour, UTC"],
    ["0 */2 * * *", null, "at minute 0 of every 2nd hour, UTC"],
    ["30 */3 * * *", null, "at minute 30 of every 3rd hour, UTC"],
    ["*/10 9-17 * * *", null, "every 10 min from 09:00 to 17:59, UTC"],
    ["*/10 9-17 * * 1-5", null, "every 10 min from 09:00 to 17:59, Monday to Friday, UTC"],
    // days
    ["30 0 2 * * *", null, "at 02:00:30 every day, UTC"],
    ["0 8,12,18 * * *", "Europe/Berlin", "at 08:00, 12:00 and 18:00 every day, Europe/Berlin"],
    ["15 23 * * *", null, "at 23:15 every day, UTC"],
    ["0 9 * * 1-5", null, "at 09:00, Monday to Friday, UTC"],
    ["0 9 * * MON-FRI", null, "at 09:00, Monday to Friday, UTC"],
    ["0 10 * * 0", null, "at 10:00 every Sunday, UTC"],
    ["0 10 * * 7", null, "at 10:00 every Sunday, UTC"],
    ["0 10 * * SUN", null, "at 10:00 every Sunday, UTC"],
    ["0 10 * * 6,0", null, "at 10:00, on Saturday and Sunday, UTC"],
    ["0 10 * * 1,3,5", null, "at 10:00, on Monday, Wednesday and Friday, UTC"],
    ["0 10 * * 0-6", null, "at 10:00 every day, UTC"],
    ["0 3 1 * *", null, "at 03:00, on day 1 of every month, UTC"],
    ["0 3 1,15 * *", null, "at 03:00, on days 1 and 15 of every month, UTC"],
    ["0 0 1 1 *", null, "at 00:00, on 1 January every year, UTC"],
    ["0 0 25 DEC *", null, "at 00:00, on 25 December every year, UTC"],
    ["0 6 * 7,8 *", null, "at 06:00 every day in July and August, UTC"],
    ["0 6 * * 1 ", null, "at 06:00 every Monday, UTC"],
    // shorthands
    ["@daily", "Asia/Tokyo", "at 00:00 every day, Asia/Tokyo"],
    ["@hourly", null, "at minute 0 of every hour, UTC"],
    ["@weekly", null, "at 00:00 every Sunday, UTC"],
    ["@monthly", null, "at 00:00, on day 1 of every month, UTC"],
    ["@yearly", null, "at 00:00, on 1 January every year, UTC"],
  ])("%s (%s) -> %s", (cron, tz, text) => {
    expect(describeSchedule(cron, tz)).toBe(text);
  });

  it.each([
    // odd shapes fall back to the expression, never to a wrong sentence
    ["0 0 L * *"],
    ["0 0 * * 5L"],
    ["0 0 * * 1#2"],
    ["0 0 15W * *"],
    ["0 0 1 * 1"], // a day of the month and a weekday: cron fires on either
    ["5-55/10 * * * *"],
    ["10/5 * * * *"],
    ["0 0 */2 * *"],
    ["61 * * * *"],
    ["0 24 * * *"],
    ["0 5-2 * * *"],
    ["0 0 * * * * 2030"],
    ["* *"],
    ["0 1,3,5,7,9,11,13 * * *"],
    ["*/5 10 * * * *"],
    ["@reboot"],
  ])("%s stays raw", (cron) => {
    expect(describeSchedule(cron, "UTC")).toBe(`${cron.trim()}, UTC`);
  });

  it("no schedule is manual; a blank zone is UTC", () => {
    expect(describeSchedule(null, null)).toBe("manual only");
    expect(describeSchedule("  ", "Europe/Paris")).toBe("manual only");
    expect(describeSchedule("0 2 * * *", "  ")).toBe("at 02:00 every day, UTC");
  });

  it("many hours of one minute read as a range", () => {
    expect(describeSchedule("0 8-20 * * *", null)).toBe("at minute 0 of every hour from 08:00 to 20:59, UTC");
    expect(describeSchedule("0 0-11 * * 1,2", null)).toBe("at minute 0 of every hour from 00:00 to 11:59, on Monday and Tuesday, UTC");
  });
});
