import { describe, expect, it } from "vitest";
import { parseSse, SseParser } from "./sse";

/** Feed `text` split at every given offset and collect all messages. */
function feedSplit(text: string, cuts: number[]) {
  const p = new SseParser();
  const out = [];
  let prev = 0;
  for (const c of [...cuts, text.length]) {
    out.push(...p.push(text.slice(prev, c)));
    prev = c;
  }
  return out;
}

describe("SseParser", () => {
  it("parses id and data of a simple record", () => {
    expect(parseSse('id: 7\ndata: {"id":7}\n\n')).toEqual([{ id: "7", event: "message", data: '{"id":7}' }]);
  });

  it("does not emit a record until the blank line arrives", () => {
    const p = new SseParser();
    expect(p.push("id: 1\ndata: a\n")).toEqual([]);
    expect(p.push("\n")).toEqual([{ id: "1", event: "message", data: "a" }]);
  });

  it("gives the same result for every way of splitting the stream", () => {
    const text = 'id: 1\ndata: {"a":1}\n\n: keep-alive\n\nid: 2\nevent: x\ndata: b\ndata: c\n\n';
    const whole = parseSse(text);
    expect(whole).toHaveLength(2);
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j += 3) {
        expect(feedSplit(text, [i, j])).toEqual(whole);
      }
    }
    // one character at a time
    expect(feedSplit(text, [...Array(text.length).keys()])).toEqual(whole);
  });

  it("handles CRLF and lone CR line endings, also when CR and LF arrive in different chunks", () => {
    const crlf = "id: 3\r\ndata: x\r\n\r\n";
    expect(parseSse(crlf)).toEqual([{ id: "3", event: "message", data: "x" }]);
    expect(parseSse("data: y\r\r")).toEqual([{ id: "", event: "message", data: "y" }]);
    for (let i = 0; i <= crlf.length; i++) {
      expect(feedSplit(crlf, [i])).toEqual([{ id: "3", event: "message", data: "x" }]);
    }
    // "\r" | "\n" split must not be read as an extra blank line (which would dispatch early)
    const p = new SseParser();
    expect(p.push("data: a\r")).toEqual([]);
    expect(p.push("\ndata: b\r\n\r\n")).toEqual([{ id: "", event: "message", data: "a\nb" }]);
  });

  it("ignores comment lines and keep-alives", () => {
    expect(parseSse(": hello\n:\n\n: ping\ndata: z\n: mid\n\n")).toEqual([{ id: "", event: "message", data: "z" }]);
  });

  it("joins multi-line data with newlines and keeps inner spacing", () => {
    expect(parseSse("data: line 1\ndata:line 2\ndata:   indented\ndata\n\n")).toEqual([
      { id: "", event: "message", data: "line 1\nline 2\n  indented\n" },
    ]);
  });

  it("tracks the last event id across records and keeps it when a record has none", () => {
    const p = new SseParser();
    const out = p.push("id: 10\ndata: a\n\ndata: b\n\nid: 12\ndata: c\n\n");
    expect(out.map((m) => m.id)).toEqual(["10", "10", "12"]);
    expect(p.lastEventId).toBe("12");
    // id without data updates the id but dispatches nothing
    expect(p.push("id: 13\n\n")).toEqual([]);
    expect(p.lastEventId).toBe("13");
  });

  it("uses the event field, and resets it after each record", () => {
    expect(parseSse("event: ping\ndata: 1\n\ndata: 2\n\n").map((m) => m.event)).toEqual(["ping", "message"]);
  });

  it("ignores retry and unknown fields", () => {
    expect(parseSse("retry: 1000\nfoo: bar\ndata: q\n\n")).toEqual([{ id: "", event: "message", data: "q" }]);
  });

  it("drops a trailing record that never got its blank line", () => {
    const p = new SseParser();
    expect(p.push("data: done\n\ndata: partial")).toEqual([{ id: "", event: "message", data: "done" }]);
  });
});
