import { describe, expect, it } from "vitest";
import type { Program } from "./types";
import { clickSelect, filterPrograms, selectionState, sortPrograms } from "./programlist";

const prog = (id: number, name: string, over: Partial<Program> = {}) =>
  ({ id, name, path: `/usr/bin/${name}`, args: [], tags: [], launch: true, autostart: false, ...over }) as unknown as Program;

describe("sortPrograms", () => {
  it("orders names naturally, ties by id, and leaves the input as it was", () => {
    const input = [prog(1, "p10"), prog(2, "p2"), prog(3, "P1"), prog(4, "p100"), prog(5, "p0"), prog(6, "p2")];
    expect(sortPrograms(input).map((p) => p.id)).toEqual([5, 3, 2, 6, 1, 4]);
    expect(input[0].id).toBe(1);
  });
});

describe("filterPrograms", () => {
  const list = [
    prog(1, "web-api", { tags: ["prod", "http"], path: "/srv/api/run" }),
    prog(2, "Worker", { tags: ["batch"], args: ["--queue", "emails"] }),
    prog(3, "editor", { launch: false, path: "/opt/Code/code" }),
  ];
  const ids = (q: string) => filterPrograms(list, q).map((p) => p.id);

  it("shows everything for a blank search, the same array", () => {
    expect(filterPrograms(list, "  ")).toBe(list);
  });

  it("matches name, tag, path and arguments, case-insensitively, every word", () => {
    expect(ids("WORK")).toEqual([2]);
    expect(ids("prod")).toEqual([1]);
    expect(ids("/opt/code")).toEqual([3]);
    expect(ids("emails")).toEqual([2]);
    expect(ids("api prod")).toEqual([1]);
    expect(ids("api batch")).toEqual([]);
  });

  it("knows tag: and watched/launched", () => {
    expect(ids("tag:http")).toEqual([1]);
    expect(ids("tag:api")).toEqual([]);
    expect(ids("watched")).toEqual([3]);
    expect(ids("launched")).toEqual([1, 2]);
  });
});

describe("selection", () => {
  const ids = [10, 11, 12, 13, 14];

  it("toggles one row, or a range from the last click with shift", () => {
    let sel = clickSelect(new Set(), ids, 1, true, false, null);
    expect([...sel]).toEqual([11]);
    sel = clickSelect(sel, ids, 3, true, true, 1);
    expect([...sel].sort()).toEqual([11, 12, 13]);
    // Shift-click upwards unchecking: the range takes the new value.
    sel = clickSelect(sel, ids, 2, false, true, 3);
    expect([...sel]).toEqual([11]);
    // Without an anchor, shift acts on the row alone.
    expect([...clickSelect(new Set(), ids, 4, true, true, null)]).toEqual([14]);
    // Ids not shown stay selected.
    expect([...clickSelect(new Set([99]), ids, 0, true, false, null)].sort()).toEqual([10, 99]);
  });

  it("tells all, some or none of the shown rows", () => {
    expect(selectionState(new Set(), ids)).toBe("none");
    expect(selectionState(new Set([10, 99]), ids)).toBe("some");
    expect(selectionState(new Set(ids), ids)).toBe("all");
  });
});
