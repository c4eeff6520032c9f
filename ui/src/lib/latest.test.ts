import { describe, expect, it } from "vitest";
import { Latest } from "./latest";
import { deferred } from "./deferred.test-util";

describe("Latest", () => {
  it("applies the answer of the only load", async () => {
    const got: number[] = [];
    await new Latest().load(
      async () => 1,
      (n) => got.push(n),
      () => got.push(-1),
    );
    expect(got).toEqual([1]);
  });

  it("drops the answer and the failure of a load a newer one overtook", async () => {
    const l = new Latest();
    const got: string[] = [];
    const first = deferred<string>();
    const second = deferred<string>();
    const a = l.load(() => first.promise, (s) => got.push(s), () => got.push("failed"));
    const b = l.load(() => second.promise, (s) => got.push(s), () => got.push("failed"));
    second.resolve("new");
    first.resolve("old");
    await Promise.all([a, b]);
    expect(got).toEqual(["new"]);

    const third = deferred<string>();
    const c = l.load(() => third.promise, (s) => got.push(s), () => got.push("failed"));
    const d = l.load(async () => "newest", (s) => got.push(s), () => got.push("failed"));
    third.reject(new Error("late"));
    await Promise.all([c, d]);
    expect(got).toEqual(["new", "newest"]);
  });

  it("hands a failure of the fetch or of apply to fail", async () => {
    const l = new Latest();
    const failed: unknown[] = [];
    await l.load(() => Promise.reject("down"), () => {}, (e) => failed.push(e));
    await l.load(
      async () => 1,
      () => {
        throw "apply";
      },
      (e) => failed.push(e),
    );
    expect(failed).toEqual(["down", "apply"]);
  });

  it("drops everything after cancel", async () => {
    const l = new Latest();
    const got: string[] = [];
    const p = deferred<string>();
    const done = l.load(() => p.promise, (s) => got.push(s), () => got.push("failed"));
    l.cancel();
    p.resolve("late");
    await done;
    expect(got).toEqual([]);
  });
});
