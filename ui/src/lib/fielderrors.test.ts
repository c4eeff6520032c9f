import { describe, expect, it } from "vitest";
import { errorFromResponse } from "./http";

describe("daemon errors over HTTP", () => {
  it("keep the field they name", async () => {
    const res = new Response(JSON.stringify({ code: "invalid_input", message: "bad cron", field: "schedule" }), { status: 400 });
    expect(await errorFromResponse(res)).toEqual({ code: "invalid_input", message: "bad cron", field: "schedule" });
  });

  it("have no field when they name none", async () => {
    const res = new Response(JSON.stringify({ code: "conflict", message: "exists", field: null }), { status: 409 });
    expect(await errorFromResponse(res)).toEqual({ code: "conflict", message: "exists" });
  });
});
