import { describe, expect, it } from "vitest";
import {
  appendLive,
  atEnd,
  escapeHtml,
  followAfterScroll,
  fromTail,
  highlight,
  joinLive,
  logFileText,
  logFilename,
  matches,
  parseLine,
  reread,
  stamp,
  timesNote,
  visibleLines,
} from "./logview";
import { formatClockMs } from "./format";

const at = (h: number, m: number, s: number) => new Date(2026, 10, 28, h, m, s).getTime();
const STAMPED = "2026-11-28T18:22:05.123+09:00";

describe("stamps", () => {
  it("reads the engine's stamp and keeps the program's text apart", () => {
    const l = parseLine(`${STAMPED} [stderr] boom`);
    expect(l).toEqual({ raw: `${STAMPED} [stderr] boom`, text: "[stderr] boom", at: Date.UTC(2026, 10, 28, 9, 22, 5, 123), from: "engine" });
    expect(stamp(l)).toBe(formatClockMs(Date.UTC(2026, 10, 28, 9, 22, 5, 123)));
    expect(parseLine("2026-11-28T18:22:05Z ").text).toBe("");
    expect(parseLine("2026-11-28T18:22:05Z  two spaces").text).toBe(" two spaces");
  });

  it("a line without a stamp: the time it arrived, or none", () => {
    expect(parseLine("plain", 5)).toEqual({ raw: "plain", text: "plain", at: 5, from: "arrival" });
    expect(parseLine("plain")).toEqual({ raw: "plain", text: "plain", at: null, from: "none" });
    expect(parseLine("2026-13-45T99:99:99Z text").from).toBe("none");
    expect(stamp(parseLine("plain"))).toBe("--:--:--.---");
  });

  it("live lines: stamped ones keep the engine's time, others the arrival time", () => {
    const lines = appendLive(fromTail(["old"]), [`${STAMPED} new`, "bare"], at(14, 3, 22), 10);
    expect(lines.map((l) => l.from)).toEqual(["none", "engine", "arrival"]);
    expect(stamp(lines[2])).toBe("14:03:22.000");
  });

  it("keeps at most cap lines, the newest", () => {
    expect(appendLive(fromTail(["a", "b"]), ["c", "d"], 1, 3).map((l) => l.text)).toEqual(["b", "c", "d"]);
  });

  it("reading the tail again keeps the arrival times of the lines it still ends with", () => {
    const shown = appendLive(fromTail(["a", "b"]), ["c", "d"], 5, 10);
    const again = reread(shown, ["b", "c", "d"]);
    expect(again.map((l) => [l.text, l.at])).toEqual([
      ["b", null],
      ["c", 5],
      ["d", 5],
    ]);
    expect(reread(shown, ["c", "d", "e"]).map((l) => l.at)).toEqual([null, null, null]);
  });

  it("says what the times mean when some lines have no stamp", () => {
    expect(timesNote(fromTail([`${STAMPED} a`]))).toBeNull();
    expect(timesNote(fromTail(["a"]))).toMatch(/^Older lines without a stamp have no time/);
    expect(timesNote(appendLive(fromTail(["a"]), ["b"], 1, 5))).toMatch(/^Lines without Vigil's stamp show when they arrived on this page; older/);
  });
});

describe("search", () => {
  it("escapes HTML in every line, with or without a search", () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'q'`)).toBe("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;");
    expect(highlight("<b>bold</b>", "")).toBe("&lt;b&gt;bold&lt;/b&gt;");
  });

  it("marks each match, any case, and escapes around and inside the marks", () => {
    expect(highlight("Error: bad <input> error", "error")).toBe("<mark>Error</mark>: bad &lt;input&gt; <mark>error</mark>");
    expect(highlight("a<b>c", "<b>")).toBe("a<mark>&lt;b&gt;</mark>c");
    expect(highlight("aaaa", "aa")).toBe("<mark>aa</mark><mark>aa</mark>");
    expect(highlight("nothing here", "zzz")).toBe("nothing here");
  });

  it("a query that looks like a regular expression is plain text", () => {
    expect(highlight("cost: $5 (approx.)", "$5 (")).toBe("cost: <mark>$5 (</mark>approx.)");
    expect(matches("a.b", ".")).toBe(true);
    expect(matches("ab", ".*")).toBe(false);
  });

  it("searches the program's text, not the stamp", () => {
    const lines = fromTail([`${STAMPED} GET /a 200`, `${STAMPED} GET /b 500`, "POST /c 500"]);
    expect(visibleLines(lines, "500", true).map((l) => l.text)).toEqual(["GET /b 500", "POST /c 500"]);
    expect(visibleLines(lines, "2026", true)).toEqual([]);
    expect(visibleLines(lines, "500", false)).toHaveLength(3);
    expect(visibleLines(lines, "  ", true)).toHaveLength(3);
  });
});

describe("download", () => {
  it("the file holds the lines shown, with the engine's stamps when times are shown", () => {
    const lines = appendLive(fromTail(["old", `${STAMPED} stamped`]), ["new"], Date.UTC(2026, 10, 28, 9, 5, 1), 10);
    expect(logFileText(lines, false)).toBe("old\nstamped\nnew\n");
    expect(logFileText(lines, true)).toBe(`old\n${STAMPED} stamped\n2026-11-28T09:05:01.000Z new\n`);
    expect(logFileText([], true)).toBe("");
  });

  it("names the file after the program and the time", () => {
    expect(logFilename("web api/1", at(14, 3, 0))).toBe("vigil-web-api-1-log-20261128-1403.log");
    expect(logFilename("", at(14, 3, 0))).toBe("vigil-program-log-20261128-1403.log");
  });
});

describe("follow", () => {
  const box = (scrollTop: number) => ({ scrollHeight: 1000, clientHeight: 200, scrollTop });

  it("at the end or not", () => {
    expect(atEnd(box(800))).toBe(true);
    expect(atEnd(box(790))).toBe(true);
    expect(atEnd(box(700))).toBe(false);
  });

  it("scrolling up turns following off; scrolling back to the end turns it on", () => {
    expect(followAfterScroll(true, 800, box(600))).toBe(false);
    expect(followAfterScroll(false, 600, box(800))).toBe(true);
    expect(followAfterScroll(false, 600, box(650))).toBe(false);
    expect(followAfterScroll(true, 800, box(800))).toBe(true);
    expect(followAfterScroll(false, 800, box(800))).toBe(false);
  });
});

describe("joinLive", () => {
  const t = (raws: string[], at: number | null = null) => raws.map((r) => parseLine(r, at));

  it("counts the seam once and keeps the live lines' times", () => {
    const got = joinLive(t(["1", "2", "3"]), t(["2", "3", "4"], 9));
    expect(got.map((l) => [l.text, l.at])).toEqual([
      ["1", null],
      ["2", 9],
      ["3", 9],
      ["4", 9],
    ]);
  });

  it("stamped lines meet exactly at the seam", () => {
    const a = `${STAMPED} same`;
    const b = "2026-11-28T18:22:05.124+09:00 same";
    expect(joinLive(t([a]), t([b, a], 1)).map((l) => l.raw)).toEqual([a, b, a]);
    expect(joinLive(t([a, b]), t([b], 1)).map((l) => l.raw)).toEqual([a, b]);
  });

  it("no overlap: both, nothing lost", () => {
    expect(joinLive(t(["1", "2"]), t(["3", "4"], 5)).map((l) => l.text)).toEqual(["1", "2", "3", "4"]);
    expect(joinLive(t([]), t(["a"], 5)).map((l) => l.text)).toEqual(["a"]);
    expect(joinLive(t(["a"]), []).map((l) => l.text)).toEqual(["a"]);
  });

  it("the longest seam wins with repeated lines", () => {
    expect(joinLive(t(["x", "x", "x"]), t(["x", "x", "y"], 1)).map((l) => l.text)).toEqual(["x", "x", "x", "y"]);
  });
});
