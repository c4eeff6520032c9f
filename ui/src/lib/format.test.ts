import { describe, expect, it } from "vitest";
import { formatBytes, formatClock, formatPercent, formatPids, formatUptime, parseArgs, parseTags, withTag } from "./format";

describe("formatUptime", () => {
  it.each([
    [0, "0s"],
    [59, "59s"],
    [59.9, "59s"],
    [60, "1m 00s"],
    [187, "3m 07s"],
    [3599, "59m 59s"],
    [3600, "1h 00m"],
    [5 * 3600 + 2 * 60 + 30, "5h 02m"],
    [86399, "23h 59m"],
    [86400, "1d 0h"],
    [2 * 86400 + 4 * 3600 + 59, "2d 4h"],
  ])("%s s -> %s", (secs, text) => {
    expect(formatUptime(secs)).toBe(text);
  });

  it("treats negative and non-finite input as zero", () => {
    expect(formatUptime(-5)).toBe("0s");
    expect(formatUptime(Number.NaN)).toBe("0s");
    expect(formatUptime(Number.POSITIVE_INFINITY)).toBe("0s");
  });
});

describe("parseArgs", () => {
  it("takes one argument per line", () => {
    expect(parseArgs("--version\n-v")).toEqual(["--version", "-v"]);
  });

  it("keeps spaces inside a line as one argument", () => {
    expect(parseArgs("--message=hello world\n/tmp/my file.txt")).toEqual(["--message=hello world", "/tmp/my file.txt"]);
  });

  it("handles CRLF and CR line endings", () => {
    expect(parseArgs("a\r\nb\rc")).toEqual(["a", "b", "c"]);
  });

  it("drops blank lines and surrounding whitespace", () => {
    expect(parseArgs("\n  a  \n\n\t\nb\n")).toEqual(["a", "b"]);
    expect(parseArgs("")).toEqual([]);
    expect(parseArgs("   \n ")).toEqual([]);
  });
});

describe("formatClock", () => {
  it("formats local time with zero padding", () => {
    const d = new Date(2024, 0, 2, 3, 4, 5);
    expect(formatClock(d.getTime())).toBe("03:04:05");
  });
});

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [-5, "0 B"],
    [NaN, "0 B"],
    [1, "1 B"],
    [1023, "1023 B"],
    [1024, "1 KiB"],
    [1536, "1.5 KiB"],
    [10 * 1024 + 512, "10.5 KiB"],
    [123.4 * 1024, "123 KiB"],
    [1024 * 1024 - 1, "1 MiB"],
    [12 * 1024 * 1024, "12 MiB"],
    [3.25 * 1024 ** 3, "3.25 GiB"],
    [2 * 1024 ** 4, "2 TiB"],
  ])("%s -> %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe("formatPercent", () => {
  it.each([
    [0, "0%"],
    [-1, "0%"],
    [0.04, "0%"],
    [0.44, "0.4%"],
    [12.345, "12.3%"],
    [99.96, "100%"],
    [187.4, "187%"],
  ])("%s -> %s", (p, text) => {
    expect(formatPercent(p)).toBe(text);
  });
});

describe("parseTags", () => {
  it("splits on commas, trims, drops empties and duplicates", () => {
    expect(parseTags(" web, nightly,,web , db ")).toEqual(["web", "nightly", "db"]);
    expect(parseTags("")).toEqual([]);
    expect(parseTags(" , ")).toEqual([]);
  });
  it("keeps spaces inside a tag", () => {
    expect(parseTags("two words")).toEqual(["two words"]);
  });
});

describe("formatPids", () => {
  it("lists up to max and counts the rest", () => {
    expect(formatPids([])).toBe("–");
    expect(formatPids([12])).toBe("12");
    expect(formatPids([1, 2, 3])).toBe("1, 2, 3");
    expect(formatPids([1, 2, 3, 4, 5])).toBe("1, 2, 3 +2");
  });
});

describe("withTag", () => {
  it("appends a tag once and normalises the list", () => {
    expect(withTag("", "web")).toBe("web");
    expect(withTag(" web ,db", "nightly")).toBe("web, db, nightly");
    expect(withTag("web, db", "db")).toBe("web, db");
    expect(withTag("web,,", "web")).toBe("web,,");
  });
});

import { formatClockMs, formatStamp } from "./format";

describe("formatClockMs and formatStamp", () => {
  it("local 24-hour time with milliseconds", () => {
    expect(formatClockMs(new Date(2026, 10, 28, 15, 4, 5, 7).getTime())).toBe("15:04:05.007");
    expect(formatClockMs(Number.NaN)).toBe("");
  });

  it("reads an output stamp in the local zone", () => {
    const ms = Date.UTC(2026, 10, 28, 1, 2, 3, 456);
    expect(formatStamp("2026-11-28T01:02:03.456Z")).toBe(formatClockMs(ms));
    expect(formatStamp("")).toBe("");
    expect(formatStamp("garbage")).toBe("");
  });
});
