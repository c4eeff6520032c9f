/** Browser-mode API token, kept in localStorage. */
export const TOKEN_KEY = "vigil.token";

export function loadToken(): string | null {
  try {
    const t = globalThis.localStorage?.getItem(TOKEN_KEY);
    return t && t.trim() ? t.trim() : null;
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  globalThis.localStorage?.setItem(TOKEN_KEY, token.trim());
}

export function clearToken(): void {
  globalThis.localStorage?.removeItem(TOKEN_KEY);
}
