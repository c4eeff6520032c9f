/**
 * Plugins: the ones installed and the folders refused, each plugin's breaker in words, which
 * plugins a check or an action can use.
 */
import type { Manifest, PluginInfo, PluginKind, Protocol } from "./types";
import { formatClock, formatDateTime } from "./format";
import { naturalCompare } from "./sort";

export type { BreakerState, Manifest, PluginCommand, PluginInfo, PluginKind, Protocol } from "./types";

// ------------------------------------------------------------ in words

export const KIND_LABELS: Record<PluginKind, string> = { check: "check", action: "action" };
export const PROTOCOL_LABELS: Record<Protocol, string> = {
  nagios: "Nagios (exit code and output)",
  vigil: "Vigil (JSON)",
};

/** Whether a plugin was loaded (its manifest read and accepted). */
export function installed(p: PluginInfo): p is PluginInfo & { manifest: Manifest } {
  return p.manifest !== null && p.error === null;
}

export type BreakerText = { text: string; tone: "ok" | "warn" | "bad"; hint: string };

/**
 * A plugin's breaker in words: "closed" (it runs), "resting until 14:05" (it failed too
 * often and is not run until then), "trial" (the next run decides).
 */
export function breakerText(p: Pick<PluginInfo, "breaker" | "open_until" | "failures">, now: number): BreakerText {
  switch (p.breaker) {
    case "closed":
      return {
        text: "closed",
        tone: p.failures > 0 ? "warn" : "ok",
        hint: p.failures > 0 ? `It runs; its last ${p.failures === 1 ? "run" : `${p.failures} runs`} failed.` : "It runs normally.",
      };
    case "open": {
      const until = p.open_until;
      const when = until === null ? null : until - now > 86_400_000 ? formatDateTime(until) : formatClock(until);
      return {
        text: when === null ? "resting" : `resting until ${when}`,
        tone: "bad",
        hint: "It failed too many times in a row: Vigil does not run it for a while (its checks answer Unknown), then tries once.",
      };
    }
    case "half_open":
      return { text: "trial", tone: "warn", hint: "It rested after failing; its next run decides whether it runs again." };
  }
}

/** "2 checks, 1 action", "not used". */
export function usageText(p: Pick<PluginInfo, "checks" | "actions">): string {
  const parts: string[] = [];
  if (p.checks > 0) parts.push(`${p.checks} check${p.checks === 1 ? "" : "s"}`);
  if (p.actions > 0) parts.push(`${p.actions} action${p.actions === 1 ? "" : "s"}`);
  return parts.length === 0 ? "not used" : parts.join(", ");
}

/** Why a plugin folder was refused, in a sentence. */
export function refusedText(p: Pick<PluginInfo, "name" | "error">): string {
  const why = (p.error ?? "").trim();
  return why === "" ? `The folder "${p.name}" was not loaded.` : `The folder "${p.name}" was not loaded: ${why}`;
}

/** Installed plugins by name, then the refused folders by name. */
export function sortPlugins(list: readonly PluginInfo[]): { installed: PluginInfo[]; refused: PluginInfo[] } {
  const byName = (a: PluginInfo, b: PluginInfo) => naturalCompare(a.manifest?.name ?? a.name, b.manifest?.name ?? b.name);
  return {
    installed: list.filter(installed).sort(byName),
    refused: list.filter((p) => !installed(p)).sort(byName),
  };
}

/** The installed plugins of a kind (what a check's or an action's plugin select offers), by name. */
export function pluginsOfKind(list: readonly PluginInfo[], kind: PluginKind): (PluginInfo & { manifest: Manifest })[] {
  return list.filter(installed).filter((p) => p.manifest.kind === kind).sort((a, b) => naturalCompare(a.manifest.name, b.manifest.name));
}

/** The manifest of an installed plugin by name (the one a check or an action names), or null. */
export function findManifest(list: readonly PluginInfo[], name: string): Manifest | null {
  const p = list.find((x) => installed(x) && (x.manifest?.name === name || x.name === name));
  return p?.manifest ?? null;
}

/** The name a check or an action uses for a plugin (its manifest's name; a refused folder's name). */
export function pluginName(p: PluginInfo): string {
  return p.manifest?.name ?? p.name;
}
