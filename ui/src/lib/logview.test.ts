import { describe, expect, it } from "vitest";
import { appendLive, atEnd, escapeHtml, followAfterScroll, fromTail, highlight, logFileText, logFilename, matches, reread, stamp, visibleLines } from "./logview";

const at = (h: number, m: number, s: number) => new Date(2026, 10, 28, h, m, s).getTime();

describe("times", () => {
  it("lines from the file have no time; live lines have the time they arrived", () => {
    const tail = fromTail(["a", "b"]);
    expect(tail.map(stamp)).toEqual(["--:--:--", "--:--:--"]);
    const live = appendLive(tail, ["c"], at(14, 3, 22), 10);
    expect(live.map(stamp)).toEqual(["--:--:--", "--:--:--", "14:03:22"]);
  });

  it("keeps at most cap lines, the newest", () => {
    expect(appendLive(fromTail(["a", "b"]), ["c", "d"], 1, 3).map((l) => l.text)).toEqual(["b", "c", "d"]);
  });

  it("reading the tail again keeps the times of the lines it still ends with", () => {
    const shown = appendLive(fromTail(["a", "b"]), ["c", "d"], 5, 10);
    const again = reread(shown, ["b", "c", "d"]);
    expect(again.map((l) => [l.text, l.at])).toEqual([
      ["b", null],
      ["c", 5],
      ["d", 5],
    ]);
    // a different end: nothing to keep
    expect(reread(shown, ["c", "d", "e"]).map((l) => l.at)).toEqual([null, null, null]);
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

  it("filters to matching lines only when asked", () => {
    const lines = fromTail(["GET /a 200", "GET /b 500", "POST /c 500"]);
    expect(visibleLines(lines, "500", true).map((l) => l.text)).toEqual(["GET /b 500", "POST /c 500"]);
    expect(visibleLines(lines, "500", false)).toHaveLength(3);
    expect(visibleLines(lines, "  ", true)).toHaveLength(3);
  });
});

describe("download", () => {
  it("the file holds the lines shown, one per line, with times when shown", () => {
    const lines = appendLive(fromTail(["old"]), ["new"], at(9, 5, 1), 10);
    expect(logFileText(lines, false)).toBe("old\nnew\n");
    expect(logFileText(lines, true)).toBe("--:--:-- old\n09:05:01 new\n");
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
    // staying away from the end keeps it off, scrolling down but not to the end too
    expect(followAfterScroll(false, 600, box(650))).toBe(false);
    // a scroll event at the end without moving (content grew, we scrolled for it): unchanged
    expect(followAfterScroll(true, 800, box(800))).toBe(true);
    expect(followAfterScroll(false, 800, box(800))).toBe(false);
  });
});

import { joinLive } from "./logview";

describe("joinLive", () => {
  const t = (texts: string[], at: number | null = null) => texts.map((text) => ({ text, at }));

  it("counts the seam once and keeps the live lines' times", () => {
    const got = joinLive(t(["1", "2", "3"]), t(["2", "3", "4"], 9));
    expect(got.map((l) => [l.text, l.at])).toEqual([
      ["1", null],
      ["2", 9],
      ["3", 9],
      ["4", 9],
    ]);
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
