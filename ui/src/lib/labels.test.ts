import { describe, expect, it } from "vitest";
import { DEFAULT_RESTART, eventLabel, STATUS_EVENT_KINDS } from "./labels";

describe("labels and defaults", () => {
  it("the default restart policy serialises to the daemon's defaults as plain JSON numbers", () => {
    expect(JSON.parse(JSON.stringify(DEFAULT_RESTART))).toEqual({
      mode: "on_failure",
      success_codes: [0],
      backoff_initial_ms: 1000,
      backoff_max_ms: 60000,
      reset_after_secs: 60,
      max_restarts: 5,
      window_secs: 300,
    });
  });

  it("names known kinds and degrades unknown ones to words", () => {
    expect(eventLabel("program_crashed")).toBe("crashed");
    expect(eventLabel("something_new")).toBe("something new");
  });

  it("re-polls statuses on lifecycle events but not on registration", () => {
    expect(STATUS_EVENT_KINDS.has("program_crashed")).toBe(true);
    expect(STATUS_EVENT_KINDS.has("program_added")).toBe(false);
  });
});
