import { describe, expect, it } from "vitest";
import { envFromRows, envNameProblem, envProblem, envRowNotes, envRowProblems, envToRows, sameEnv } from "./env";

describe("environment rows", () => {
  it("reads a map as rows sorted by name and back", () => {
    const rows = envToRows({ B: "2", A: "1" });
    expect(rows).toEqual([
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ]);
    expect(envFromRows(rows)).toEqual({ A: "1", B: "2" });
    expect(envToRows(null)).toEqual([]);
  });

  it("checks names like the engine: not empty, no '=', no NUL", () => {
    expect(envNameProblem("RUST_LOG")).toBeNull();
    expect(envNameProblem("  ")).toMatch(/name/);
    expect(envNameProblem("A=B")).toMatch(/=/);
    expect(envNameProblem("A\0")).toMatch(/NUL/);
    // the engine accepts these, so the editor does too
    expect(envNameProblem("lower.case-ok")).toBeNull();
    expect(envNameProblem("ÜBER")).toBeNull();
  });

  it("flags a duplicate next to the later row, a nameless value, and a NUL value", () => {
    const rows = [
      { name: "A", value: "1" },
      { name: " A ", value: "2" },
      { name: "", value: "orphan" },
      { name: "", value: "" },
      { name: "B", value: "x\0y" },
    ];
    const p = envRowProblems(rows);
    expect(p[0]).toBeNull();
    expect(p[1]).toMatch(/already set in row 1/);
    expect(p[2]).toMatch(/name/);
    expect(p[3]).toBeNull();
    expect(p[4]).toMatch(/NUL/);
    expect(envFromRows(rows)).toEqual({ A: "1" });
    expect(envProblem(rows)).toBe("Environment, A: A is already set in row 1.");
    expect(envProblem([{ name: "", value: "v" }])).toMatch(/^Environment, row 1:/);
    expect(envProblem([{ name: "X", value: "" }])).toBeNull();
  });

  it("notes names that differ only in case, without refusing them", () => {
    const rows = [
      { name: "Path", value: "a" },
      { name: "PATH", value: "b" },
    ];
    expect(envRowProblems(rows)).toEqual([null, null]);
    expect(envRowNotes(rows)).toEqual([null, "On Windows this is the same variable as Path."]);
    expect(envFromRows(rows)).toEqual({ Path: "a", PATH: "b" });
  });

  it("trims names, keeps values as typed (an empty value is a value)", () => {
    expect(envFromRows([{ name: " X ", value: " v " }, { name: "E", value: "" }])).toEqual({ X: " v ", E: "" });
  });

  it("compares maps", () => {
    expect(sameEnv({ a: "1" }, { a: "1" })).toBe(true);
    expect(sameEnv({ a: "1" }, { a: "2" })).toBe(false);
    expect(sameEnv({ a: "1" }, { a: "1", b: "" })).toBe(false);
    expect(sameEnv({}, {})).toBe(true);
  });
});
