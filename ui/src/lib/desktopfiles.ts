// Saving files in the desktop app: a webview cannot download, so the window asks the app
// (src-tauri/src/files.rs) to show the OS save dialog and write the file there.
import { invoke as tauriInvoke } from "@tauri-apps/api/core";
import { toApiError } from "./errors";
import type { ExportFormat, ExportKind } from "./export";

export type Invoke = (cmd: string, args: Record<string, unknown>) => Promise<unknown>;

const defaultInvoke: Invoke = (cmd, args) => tauriInvoke(cmd, args);

/** Where the file went, or null when the person cancelled the dialog. */
export type Saved = string | null;

async function run(invoke: Invoke, cmd: string, args: Record<string, unknown>): Promise<Saved> {
  try {
    const path = await invoke(cmd, args);
    return typeof path === "string" ? path : null;
  } catch (e) {
    throw toApiError(e);
  }
}

/** Asks where to save `name` and writes `text` there. */
export function saveTextFile(name: string, text: string, invoke: Invoke = defaultInvoke): Promise<Saved> {
  return run(invoke, "save_text", { name, text });
}

/** Asks where to save `name` and streams the program's history export there. */
export function saveExportFile(
  req: { id: number; kind: ExportKind; format: ExportFormat; from: number; to: number; name: string },
  invoke: Invoke = defaultInvoke,
): Promise<Saved> {
  return run(invoke, "save_export", { ...req, from: Math.floor(req.from), to: Math.ceil(req.to) });
}
