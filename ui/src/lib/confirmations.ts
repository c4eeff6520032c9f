// What the questions before a delete, a revoke or a replay say: plainly what goes and what
// stays, as the daemon does it (see crates/vigil-store: jobs::delete_job,
// outbox::endpoints::delete_endpoint, outbox::rules::delete_rule, and the hooks route).

/** A confirmation's title, its sentences, and its button (null: it cannot be done, only closed). */
export type Confirmation = { title: string; lines: string[]; confirm: string | null };

/**
 * Deleting a job: its definition, schedule and trigger credentials go; its runs stay in the
 * history with their output (the run pages keep working). The daemon refuses while other jobs
 * depend on it or chain to it, and says which.
 */
export function deleteJobConfirmation(job: { id: string; name?: string | null }): Confirmation {
  const shown = job.name && job.name !== job.id ? `${job.name} (${job.id})` : job.id;
  return {
    title: `Delete job ${shown}?`,
    lines: [
      "Its definition and schedule go. Any triggers it has are revoked: systems using them get 401 from now on.",
      "The runs it already made stay in the history, with their output.",
    ],
    confirm: "Delete job",
  };
}

/**
 * Deleting an endpoint: only possible when no rule sends to it (the daemon refuses and names
 * them); its deliveries still waiting are given up as dead; the delivery log keeps its past ones.
 * `usedBy` are the names of the rules that send to it now (null: not known, the rules could not be read).
 */
export function deleteEndpointConfirmation(name: string, usedBy: readonly string[] | null): Confirmation {
  const title = `Delete endpoint ${name}?`;
  if (usedBy !== null && usedBy.length > 0) {
    const one = usedBy.length === 1;
    return {
      title,
      lines: [`It cannot be deleted yet: ${one ? `rule ${usedBy[0]} sends` : `rules ${usedBy.join(", ")} send`} to it. Take it out of ${one ? "that rule" : "those rules"} first.`],
      confirm: null,
    };
  }
  return {
    title,
    lines: [
      ...(usedBy === null ? [] : ["No rule sends to it."]),
      "Its deliveries still waiting are not sent: they are marked dead. Its past deliveries stay in the delivery log.",
    ],
    confirm: "Delete endpoint",
  };
}

/** Deleting a rule: new events are no longer sent by it; what it already queued is still sent. */
export function deleteRuleConfirmation(name: string): Confirmation {
  return {
    title: `Delete rule ${name}?`,
    lines: [
      "Events from now on are no longer sent by this rule (other rules still send what they match).",
      "Notices it already queued are still sent, and the delivery log keeps its past deliveries.",
    ],
    confirm: "Delete rule",
  };
}

/** Revoking a trigger credential: refused from the next request on. */
export function revokeTriggerConfirmation(name: string, kind: "token" | "hmac"): Confirmation {
  return {
    title: `Revoke trigger ${name}?`,
    lines: [
      `Systems using this ${kind === "hmac" ? "HMAC secret" : "token"} get 401 from now on, and the job no longer runs for them.`,
      "This cannot be undone: to let them in again, create a new trigger and give them its secret.",
    ],
    confirm: "Revoke",
  };
}

/** Replaying every dead delivery (of one endpoint, when the log shows one). */
export function replayAllConfirmation(endpoint: string | null): Confirmation {
  return {
    title: endpoint === null ? "Replay every dead delivery?" : `Replay every dead delivery to ${endpoint}?`,
    lines: [
      "They are tried again from now, each with the same Idempotency-Key as before, so a receiver can tell a repeat.",
      "Deliveries to a deleted endpoint stay dead.",
    ],
    confirm: "Replay",
  };
}
