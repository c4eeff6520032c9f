import { describe, expect, it } from "vitest";
import { newProgramHref, parseRoute, section } from "./route";

describe("the register route", () => {
  it("opens the register form, with a process to watch when the link names one", () => {
    expect(parseRoute("#/programs/new")).toEqual({ name: "program-new", pid: null });
    expect(parseRoute("#/programs/new/")).toEqual({ name: "program-new", pid: null });
    expect(parseRoute("#/programs/new?pid=1234")).toEqual({ name: "program-new", pid: 1234 });
    expect(parseRoute("#/programs/new/?pid=77&x=1")).toEqual({ name: "program-new", pid: 77 });
    expect(parseRoute(newProgramHref())).toEqual({ name: "program-new", pid: null });
    expect(parseRoute(newProgramHref(42))).toEqual({ name: "program-new", pid: 42 });
  });

  it("ignores a pid that is not one", () => {
    for (const h of ["#/programs/new?pid=", "#/programs/new?pid=abc", "#/programs/new?pid=-3", "#/programs/new?pid=1.5", "#/programs/new?pid=0"]) {
      expect(parseRoute(h)).toEqual({ name: "program-new", pid: null });
    }
  });

  it("is part of the programs section and leaves program pages alone", () => {
    expect(section(parseRoute("#/programs/new?pid=9"))).toBe("programs");
    expect(parseRoute("#/programs/12")).toEqual({ name: "program", id: 12 });
    expect(parseRoute("#/programs/newer")).toEqual({ name: "dashboard" });
  });
});
