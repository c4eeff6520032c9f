import { describe, expect, it } from "vitest";
import { parseRoute, programHref } from "./route";

describe("hash routes", () => {
  it.each([
    ["", { name: "dashboard" }],
    ["#", { name: "dashboard" }],
    ["#/", { name: "dashboard" }],
    ["#/programs/7", { name: "program", id: 7 }],
    ["#/programs/42/", { name: "program", id: 42 }],
    ["#/programs/", { name: "dashboard" }],
    ["#/programs/x1", { name: "dashboard" }],
    ["#/programs/1/logs", { name: "dashboard" }],
    ["#/programs/99999999999999999999", { name: "dashboard" }],
  ])("%j -> %j", (hash, route) => {
    expect(parseRoute(hash)).toEqual(route);
  });

  it("links round-trip", () => {
    expect(parseRoute(programHref(13))).toEqual({ name: "program", id: 13 });
  });
});
