/**
 * Some environments report a language tag that Intl refuses: WebKitGTK under `LANG=C` reports
 * "C", and `new Intl.NumberFormat("C")` throws a RangeError. uPlot formats numbers with
 * `navigator.language` when its module loads, so one such tag would leave the whole window
 * blank. This module runs before anything else is imported and swaps an unusable tag for
 * the runtime's default locale.
 */
export function usableLanguage(tag: string | undefined, fallback: string): string {
  if (!tag) return fallback;
  try {
    new Intl.NumberFormat(tag);
    return tag;
  } catch {
    return fallback;
  }
}

if (typeof navigator !== "undefined") {
  const fallback = new Intl.NumberFormat().resolvedOptions().locale || "en-US";
  const usable = usableLanguage(navigator.language, fallback);
  if (usable !== navigator.language) {
    Object.defineProperty(navigator, "language", { get: () => usable, configurable: true });
  }
}
