import { describe, expect, it } from "vitest";
import {
  deleteEndpointConfirmation,
  deleteJobConfirmation,
  deleteRuleConfirmation,
  replayAllConfirmation,
  revokeTriggerConfirmation,
} from "./confirmations";

describe("delete and revoke confirmations", () => {
  it("a job: its runs stay, its triggers go", () => {
    const c = deleteJobConfirmation({ id: "backup", name: "Nightly backup" });
    expect(c.title).toBe("Delete job Nightly backup (backup)?");
    expect(c.confirm).toBe("Delete job");
    expect(c.lines.join(" ")).toMatch(/runs it already made stay/);
    expect(c.lines.join(" ")).toMatch(/triggers .* revoked: systems using them get 401/);
    expect(deleteJobConfirmation({ id: "backup", name: "backup" }).title).toBe("Delete job backup?");
    expect(deleteJobConfirmation({ id: "backup" }).title).toBe("Delete job backup?");
  });

  it("an endpoint no rule uses: waiting deliveries die, the log stays", () => {
    const c = deleteEndpointConfirmation("Ops Slack", []);
    expect(c.title).toBe("Delete endpoint Ops Slack?");
    expect(c.confirm).toBe("Delete endpoint");
    expect(c.lines.join(" ")).toMatch(/still waiting are not sent: they are marked dead/);
    expect(c.lines.join(" ")).toMatch(/past deliveries stay in the delivery log/);
    expect(c.lines[0]).toBe("No rule sends to it.");
  });

  it("an endpoint whose rules could not be read: does not claim none uses it", () => {
    const c = deleteEndpointConfirmation("Ops Slack", null);
    expect(c.confirm).toBe("Delete endpoint");
    expect(c.lines.join(" ")).not.toMatch(/No rule/);
    expect(c.lines.join(" ")).toMatch(/marked dead/);
  });

  it("an endpoint rules still send to: cannot be deleted, says which rules", () => {
    const one = deleteEndpointConfirmation("Ops Slack", ["Crashes"]);
    expect(one.confirm).toBeNull();
    expect(one.lines).toEqual(["It cannot be deleted yet: rule Crashes sends to it. Take it out of that rule first."]);
    const two = deleteEndpointConfirmation("Ops Slack", ["Crashes", "Failures"]);
    expect(two.lines[0]).toBe("It cannot be deleted yet: rules Crashes, Failures send to it. Take it out of those rules first.");
  });

  it("a rule: new events are not sent by it, queued ones still are", () => {
    const c = deleteRuleConfirmation("Crashes to Slack");
    expect(c.title).toBe("Delete rule Crashes to Slack?");
    expect(c.confirm).toBe("Delete rule");
    expect(c.lines.join(" ")).toMatch(/already queued are still sent/);
  });

  it("a trigger: 401 from now on", () => {
    const c = revokeTriggerConfirmation("ci", "token");
    expect(c.title).toBe("Revoke trigger ci?");
    expect(c.confirm).toBe("Revoke");
    expect(c.lines[0]).toBe("Systems using this token get 401 from now on, and the job no longer runs for them.");
    expect(revokeTriggerConfirmation("gh", "hmac").lines[0]).toMatch(/^Systems using this HMAC secret get 401/);
  });

  it("replaying dead deliveries", () => {
    expect(replayAllConfirmation(null).title).toBe("Replay every dead delivery?");
    expect(replayAllConfirmation("Ops Slack").title).toBe("Replay every dead delivery to Ops Slack?");
    expect(replayAllConfirmation(null).confirm).toBe("Replay");
  });
});
