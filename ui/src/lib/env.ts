/**
 * Environment variables as rows of name/value, checked the way the engine checks them
 * (`NewProgram::validate`): a name is not empty and holds no `=` and no NUL; a value holds
 * no NUL. Blank rows (no name, no value) are ignored.
 */

export type EnvRow = { name: string; value: string };

/** Rows for a map, sorted by name (the engine stores a sorted map). */
export function envToRows(env: Readonly<Record<string, string>> | null | undefined): EnvRow[] {
  return Object.entries(env ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value }));
}

function blank(row: EnvRow): boolean {
  return row.name.trim() === "" && row.value === "";
}

/** What is wrong with a name on its own, in plain words; null when it is fine. */
export function envNameProblem(name: string): string | null {
  const n = name.trim();
  if (n === "") return "Give the variable a name.";
  if (n.includes("=")) return "A name cannot contain “=”.";
  if (n.includes("\0")) return "A name cannot contain a NUL character.";
  return null;
}

/**
 * One message per row (null when the row is fine): the name's own problem, a name used by
 * an earlier row, or a NUL in the value. A blank row is fine (it is left out).
 */
export function envRowProblems(rows: readonly EnvRow[]): (string | null)[] {
  const seen = new Map<string, number>();
  return rows.map((row, i) => {
    if (blank(row)) return null;
    const own = envNameProblem(row.name);
    if (own) return own;
    const n = row.name.trim();
    const first = seen.get(n);
    if (first !== undefined) return `${n} is already set in row ${first + 1}.`;
    seen.set(n, i);
    if (row.value.includes("\0")) return "The value cannot contain a NUL character.";
    return null;
  });
}

/**
 * Soft notes that do not stop a save: names that differ only in case (one variable on
 * Windows), names with spaces around them (trimmed when saved).
 */
export function envRowNotes(rows: readonly EnvRow[]): (string | null)[] {
  const lower = new Map<string, string>();
  return rows.map((row) => {
    if (blank(row)) return null;
    const n = row.name.trim();
    const other = lower.get(n.toLowerCase());
    if (other !== undefined && other !== n) return `On Windows this is the same variable as ${other}.`;
    if (other === undefined) lower.set(n.toLowerCase(), n);
    return null;
  });
}

/** The map the rows describe: blank rows and rows with a problem are left out (the first of a duplicate is kept). */
export function envFromRows(rows: readonly EnvRow[]): Record<string, string> {
  const problems = envRowProblems(rows);
  const env: Record<string, string> = {};
  rows.forEach((row, i) => {
    if (blank(row) || problems[i] !== null) return;
    env[row.name.trim()] = row.value;
  });
  return env;
}

/** The first problem as one line naming its row, or null when every row is fine (for a form's own check). */
export function envProblem(rows: readonly EnvRow[]): string | null {
  const problems = envRowProblems(rows);
  const i = problems.findIndex((p) => p !== null);
  if (i < 0) return null;
  const name = rows[i].name.trim();
  return `Environment, ${name ? name : `row ${i + 1}`}: ${problems[i]}`;
}

/** Same keys and values. */
export function sameEnv(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}
