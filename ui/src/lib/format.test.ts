import { describe, expect, it } from "vitest";
import { formatClock, formatUptime, parseArgs } from "./format";

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
