import { describe, expect, it } from "vitest";
import type { Delivery, Endpoint, Rule } from "./types";
import {
  deliveryCells,
  endpointCells,
  eventCells,
  filterList,
  matchesSearch,
  noMatch,
  ruleCells,
  runCells,
  searchWords,
  searching,
  shownCount,
} from "./listsearch";
import { makeRun } from "./jobfixtures.test-util";

const byName = (items: readonly { name: string }[]) => items.map((x) => x.name);
const named = (...names: string[]) => names.map((name) => ({ name }));
const cells = (x: { name: string }) => [x.name];

describe("searchWords", () => {
  it("blank searches have no words", () => {
    expect(searchWords("")).toEqual([]);
    expect(searchWords("   ")).toEqual([]);
    expect(searchWords("\t\n \u00a0\u2003")).toEqual([]);
    expect(searching(" \u00a0 ")).toBe(false);
    expect(searching(" a ")).toBe(true);
  });

  it("splits on any white space and lower-cases", () => {
    expect(searchWords("  Ops\u00a0SLACK\tmail ")).toEqual(["ops", "slack", "mail"]);
    expect(searchWords("ÉCOLE")).toEqual(["école"]);
  });
});

describe("filterList", () => {
  const list = named("Ops Slack", "ops-mail", "Pager (night)", "a.b*c", "Café crème", "日本語 alerts", "back\\slash");

  it("a blank search shows everything, the same array", () => {
    expect(filterList(list, "", cells)).toBe(list);
    expect(filterList(list, "  \u00a0", cells)).toBe(list);
  });

  it("is a case-insensitive substring search", () => {
    expect(byName(filterList(list, "OPS", cells))).toEqual(["Ops Slack", "ops-mail"]);
    expect(byName(filterList(list, "lack", cells))).toEqual(["Ops Slack"]);
    expect(byName(filterList(list, "  slack  ", cells))).toEqual(["Ops Slack"]);
  });

  it("needs every word, in any order", () => {
    expect(byName(filterList(list, "slack ops", cells))).toEqual(["Ops Slack"]);
    expect(byName(filterList(list, "ops night", cells))).toEqual([]);
  });

  it("treats regular-expression characters as themselves", () => {
    expect(byName(filterList(list, "(night)", cells))).toEqual(["Pager (night)"]);
    expect(byName(filterList(list, ".", cells))).toEqual(["a.b*c"]);
    expect(byName(filterList(list, "b*c", cells))).toEqual(["a.b*c"]);
    expect(byName(filterList(list, ".*", cells))).toEqual([]);
    expect(byName(filterList(list, "[", cells))).toEqual([]);
    expect(byName(filterList(list, "\\", cells))).toEqual(["back\\slash"]);
    expect(byName(filterList(list, "^ops", cells))).toEqual([]);
  });

  it("matches unicode text, composed or not", () => {
    expect(byName(filterList(list, "CAFÉ", cells))).toEqual(["Café crème"]);
    // "é" typed as e + combining accent
    expect(byName(filterList(list, "cafe\u0301", cells))).toEqual(["Café crème"]);
    expect(byName(filterList(list, "日本", cells))).toEqual(["日本語 alerts"]);
    expect(byName(filterList(list, "🙂", cells))).toEqual([]);
  });

  it("a word does not run from one column into the next", () => {
    expect(matchesSearch(["ab", "cd"], ["bc"])).toBe(false);
    expect(matchesSearch(["ab", "cd"], ["b", "c"])).toBe(true);
    expect(matchesSearch([null, undefined, 404, ["x", null]], ["404"])).toBe(true);
    expect(matchesSearch([], [])).toBe(true);
    expect(matchesSearch([], ["a"])).toBe(false);
  });

  it("words the no-match line and the count", () => {
    expect(noMatch("endpoint", "  smtp ")).toBe("No endpoint matches “smtp”.");
    expect(shownCount(2, 10)).toBe("2 of 10 shown");
  });
});

describe("each list's columns", () => {
  it("endpoints: name, kind, method and URL, or the addresses and server", () => {
    const hook: Endpoint = { id: 1, name: "Ops Slack", url: "https://hooks.slack.com/x", preset: "slack", method: "PUT" };
    const mail = { id: 2, name: "Night mail", url: "smtp://mail.example.com:587", preset: "email", email: { to: ["oncall@example.com"] } } as unknown as Endpoint;
    const list = [hook, mail];
    const find = (q: string, resting: number[] = []) => filterList(list, q, (e) => endpointCells(e, resting.includes(e.id ?? 0))).map((e) => e.id);
    expect(find("hooks.slack")).toEqual([1]);
    expect(find("put")).toEqual([1]);
    expect(find("oncall@")).toEqual([2]);
    expect(find("mail.example.com:587")).toEqual([2]);
    // The scheme is not shown, so not searched.
    expect(find("smtp://")).toEqual([]);
    expect(find("paused")).toEqual([]);
    expect(find("paused", [2])).toEqual([2]);
  });

  it("rules: name and what the list says of them", () => {
    const r: Rule = { id: 1, name: "Crashes", kinds: ["program_crashed"], endpoints: [7], programs: [3] };
    const names = { endpoints: new Map([[7, "Ops Slack"]]), programs: new Map([[3, "web"]]) };
    expect(matchesSearch(ruleCells(r, names), searchWords("crashed"))).toBe(true);
    expect(matchesSearch(ruleCells(r, names), searchWords("ops slack"))).toBe(true);
    expect(matchesSearch(ruleCells(r, names), searchWords("web"))).toBe(true);
    expect(matchesSearch(ruleCells(r, names), searchWords("mail"))).toBe(false);
  });

  it("deliveries: endpoint name, status, summary, last error", () => {
    const d = { id: 1, channel: "webhook", endpoint_id: 7, status: "dead", summary: "web crashed (exit 1)", last_error: "HTTP 503" } as Delivery;
    const names = new Map([[7, "Ops Slack"]]);
    const m = (q: string) => matchesSearch(deliveryCells(d, names), searchWords(q));
    expect(m("ops")).toBe(true);
    expect(m("DEAD")).toBe(true);
    expect(m("(exit 1)")).toBe(true);
    expect(m("503")).toBe(true);
    expect(m("delivered")).toBe(false);
    expect(matchesSearch(deliveryCells({ ...d, endpoint_id: 9 }, names), ["removed"])).toBe(true);
  });

  it("runs: number, trigger, status, exit code", () => {
    const r = makeRun({ id: 120, trigger: "webhook", status: "timed_out", exit_code: 137 });
    const m = (q: string) => matchesSearch(runCells(r), searchWords(q));
    expect(m("#120")).toBe(true);
    expect(m("12")).toBe(true);
    expect(m("webhook")).toBe(true);
    expect(m("timed out")).toBe(true);
    expect(m("137")).toBe(true);
    expect(m("succeeded")).toBe(false);
  });

  it("events: message and kind as shown", () => {
    const e = { kind: "program_crashed", message: "web exited with code 1" };
    expect(matchesSearch(eventCells(e), searchWords("code 1"))).toBe(true);
    expect(matchesSearch(eventCells(e), searchWords("crashed"))).toBe(true);
    expect(matchesSearch(eventCells(e), searchWords("program_crashed"))).toBe(false);
  });
});
