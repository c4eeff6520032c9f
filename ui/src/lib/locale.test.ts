import { describe, expect, it } from "vitest";
import { usableLanguage } from "./locale";

describe("usableLanguage", () => {
  it("keeps a valid tag", () => {
    expect(usableLanguage("de-DE", "en-US")).toBe("de-DE");
  });
  it("replaces the POSIX 'C' locale that Intl refuses", () => {
    expect(() => new Intl.NumberFormat("C")).toThrow(RangeError);
    expect(usableLanguage("C", "en-US")).toBe("en-US");
  });
  it("falls back when there is no tag", () => {
    expect(usableLanguage(undefined, "en-US")).toBe("en-US");
    expect(usableLanguage("", "fr")).toBe("fr");
  });
});
