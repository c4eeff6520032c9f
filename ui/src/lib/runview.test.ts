import { describe, expect, it } from "vitest";
import { commandLine, guessPlatform, optionRows, platformOf, shellQuote, triggerText, windowsQuote } from "./runview";
import type { JobOption } from "./types";

describe("shellQuote", () => {
  it.each([
    ["plain", "plain"],
    ["/usr/bin/x", "/usr/bin/x"],
    ["--name=a,b", "--name=a,b"],
    ["", "''"],
    ["two words", "'two words'"],
    ["it's", `'it'\\''s'`],
    ['say "hi"', `'say "hi"'`],
    ["$HOME", "'$HOME'"],
    ["a;rm -rf /", "'a;rm -rf /'"],
    ["tab\there", "'tab\there'"],
    ["line\nbreak", "'line\nbreak'"],
    ["*", "'*'"],
  ])("%j -> %s", (arg, quoted) => {
    expect(shellQuote(arg)).toBe(quoted);
  });
});

describe("windowsQuote", () => {
  it.each([
    ["plain", "plain"],
    ["C:\\Tools\\x.exe", "C:\\Tools\\x.exe"],
    ["", '""'],
    ["two words", '"two words"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["C:\\dir with space\\", '"C:\\dir with space\\\\"'],
    ['a\\"b', '"a\\\\\\"b"'],
  ])("%j -> %s", (arg, quoted) => {
    expect(windowsQuote(arg)).toBe(quoted);
  });
});

describe("commandLine", () => {
  it("a plain job: the command, then the run's argv, one element each", () => {
    const c = commandLine({ command: "/usr/bin/backup", shell: false }, { argv: ["--to", "/mnt/my disk", ""] }, "unix");
    expect(c.argv).toEqual(["/usr/bin/backup", "--to", "/mnt/my disk", ""]);
    expect(c.line).toBe("/usr/bin/backup --to '/mnt/my disk' ''");
    expect(c.note).toBeNull();
  });

  it("a shell job on Unix: /bin/sh -c LINE sh ARGS, as the engine runs it", () => {
    const c = commandLine({ command: 'echo "$1" && date', shell: true }, { argv: ["it's here"] }, "unix");
    expect(c.argv).toEqual(["/bin/sh", "-c", 'echo "$1" && date', "sh", "it's here"]);
    expect(c.line).toBe(`/bin/sh -c 'echo "$1" && date' sh 'it'\\''s here'`);
    expect(c.note).toMatch(/\$@/);
  });

  it("a shell job on Windows: cmd.exe with the one raw /D /S /C argument", () => {
    const c = commandLine({ command: "tool --name", shell: true }, { argv: ["a b", "C:\\dir\\"] }, "windows");
    expect(c.argv).toEqual(["cmd.exe", '/D /S /C "tool --name "a b" "C:\\dir\\\\""']);
    expect(c.note).toMatch(/cmd\.exe/);
  });

  it("a plain job on Windows quotes as Windows programs read it", () => {
    expect(commandLine({ command: "C:\\Program Files\\x.exe", shell: false }, { argv: ["a"] }, "windows").line).toBe('"C:\\Program Files\\x.exe" a');
  });

  it("platform from the OS name, or a guess from the command", () => {
    expect(platformOf("Windows 11 (26100)")).toBe("windows");
    expect(platformOf("Debian GNU/Linux 12")).toBe("unix");
    expect(platformOf(null)).toBe("unix");
    expect(guessPlatform("C:\\tools\\a.exe")).toBe("windows");
    expect(guessPlatform("backup.bat")).toBe("windows");
    expect(guessPlatform("/usr/bin/env")).toBe("unix");
  });
});

describe("optionRows", () => {
  const defs: JobOption[] = [
    { name: "target", label: "Target", type: "string", flag: "--target", choices: [], default: null },
    { name: "dry", label: "Dry run", type: "boolean", flag: "--dry-run", choices: [], default: false },
  ];

  it("in the job's order, with labels and readable values", () => {
    expect(optionRows({ zeta: [1, 2], dry: true, target: "my disk", files: ["a b", "c"] }, defs)).toEqual([
      { name: "target", label: "Target", value: "my disk", empty: false },
      { name: "dry", label: "Dry run", value: "true", empty: false },
      { name: "files", label: "", value: "'a b' c", empty: false },
      { name: "zeta", label: "", value: "1 2", empty: false },
    ]);
  });

  it("an empty value says so", () => {
    expect(optionRows({ target: "" }, defs)[0].empty).toBe(true);
    expect(optionRows({}, defs)).toEqual([]);
  });
});

describe("triggerText", () => {
  it.each([
    [{ trigger: "manual", attempt: 1 }, "Manual: started by hand"],
    [{ trigger: "schedule", attempt: 1 }, "Schedule: started by the job's schedule"],
    [{ trigger: "dependency", attempt: 1 }, "Dependency: started because another job depends on it"],
    [{ trigger: "chain", attempt: 1 }, "Chain: started after another job's run ended"],
    [{ trigger: "retry", attempt: 3 }, "Retry (attempt 3): started again after attempt 2 failed"],
    [{ trigger: "webhook", attempt: 1 }, "Webhook: started by an incoming webhook"],
    [{ trigger: "schedule", attempt: 2 }, "Schedule: started by the job's schedule (attempt 2)"],
  ] as const)("%j", (run, text) => {
    expect(triggerText(run)).toBe(text);
  });
});
