import { describe, expect, it } from "vitest";
import { saveExportFile, saveTextFile, type Invoke } from "./desktopfiles";

function recorder(answer: unknown, fail?: unknown) {
  const calls: Array<[string, Record<string, unknown>]> = [];
  const invoke: Invoke = async (cmd, args) => {
    calls.push([cmd, args]);
    if (fail !== undefined) throw fail;
    return answer;
  };
  return { calls, invoke };
}

describe("desktop file saving", () => {
  it("asks the app to save text and says where it went", async () => {
    const r = recorder("/home/me/web.log");
    await expect(saveTextFile("web.log", "a\nb\n", r.invoke)).resolves.toBe("/home/me/web.log");
    expect(r.calls).toEqual([["save_text", { name: "web.log", text: "a\nb\n" }]]);
  });

  it("a cancelled dialog is null, not an error", async () => {
    const r = recorder(null);
    await expect(saveTextFile("x.log", "", r.invoke)).resolves.toBeNull();
  });

  it("an export sends whole milliseconds and the app's refusal comes back as an ApiError", async () => {
    const r = recorder(null, { code: "invalid_input", message: "from must be before to", field: "from" });
    await expect(
      saveExportFile({ id: 3, kind: "events", format: "csv", from: 10.7, to: 5.2, name: "e.csv" }, r.invoke),
    ).rejects.toMatchObject({ code: "invalid_input", field: "from" });
    expect(r.calls[0]).toEqual(["save_export", { id: 3, kind: "events", format: "csv", from: 10, to: 6, name: "e.csv" }]);
  });
});
