// Incremental Server-Sent Events parser (WHATWG "event stream interpretation").
//
// Feed it decoded text chunks in arrival order; it returns every message
// completed by that chunk. Chunks may split anywhere: inside a line, between
// "\r" and "\n", inside a field name. Comments (lines starting with ":") are
// ignored, multiple `data:` lines are joined with "\n", and the last seen `id`
// persists across messages like EventSource's lastEventId.

export type SseMessage = {
  /** Last event id seen on the stream so far ("" if none). */
  id: string;
  /** Event type; "message" when the stream did not name one. */
  event: string;
  data: string;
};

export class SseParser {
  /** The stream's current last-event-id (persists between messages). */
  lastEventId = "";

  private buf = "";
  /** The previous chunk ended in "\r": a leading "\n" belongs to that line end. */
  private pendingCr = false;
  private data: string[] = [];
  private eventType = "";
  private hasData = false;

  /** Parse one chunk; returns the messages it completed. */
  push(chunk: string): SseMessage[] {
    const out: SseMessage[] = [];
    let text = chunk;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (text.startsWith("\n")) text = text.slice(1);
    }
    this.buf += text;

    let start = 0;
    for (;;) {
      const cr = this.buf.indexOf("\r", start);
      const lf = this.buf.indexOf("\n", start);
      let end: number;
      if (cr === -1 && lf === -1) break;
      if (cr === -1 || (lf !== -1 && lf < cr)) end = lf;
      else end = cr;
      const line = this.buf.slice(start, end);
      let next = end + 1;
      if (this.buf[end] === "\r") {
        if (next < this.buf.length) {
          if (this.buf[next] === "\n") next++;
        } else {
          // "\r" is the last char we have: its "\n" may start the next chunk.
          this.pendingCr = true;
        }
      }
      start = next;
      const msg = this.line(line);
      if (msg) out.push(msg);
    }
    this.buf = this.buf.slice(start);
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === "") return this.dispatch();
    if (line.startsWith(":")) return null; // comment / keep-alive
    const colon = line.indexOf(":");
    let field: string;
    let value: string;
    if (colon === -1) {
      field = line;
      value = "";
    } else {
      field = line.slice(0, colon);
      value = line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
    }
    switch (field) {
      case "data":
        this.data.push(value);
        this.hasData = true;
        break;
      case "event":
        this.eventType = value;
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      default:
        // "retry" and unknown fields are ignored.
        break;
    }
    return null;
  }

  private dispatch(): SseMessage | null {
    const hasData = this.hasData;
    const msg: SseMessage = {
      id: this.lastEventId,
      event: this.eventType || "message",
      data: this.data.join("\n"),
    };
    this.data = [];
    this.hasData = false;
    this.eventType = "";
    return hasData ? msg : null;
  }
}

/** Parse a complete text in one go (convenience for tests and small bodies). */
export function parseSse(text: string): SseMessage[] {
  return new SseParser().push(text);
}
