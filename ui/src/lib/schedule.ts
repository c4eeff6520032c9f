// A job's cron schedule in words: "every 30 s, UTC", "at 02:00 every day, Europe/Seoul",
// "at minute 5 of every hour, UTC". The common shapes are described; anything else (steps
// inside ranges, L/W/# modifiers, a day of the month and a weekday together) falls back to
// the expression itself, so the text is never wrong, only sometimes raw.

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTH_NAMES: Record<string, number> = Object.fromEntries(
  ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"].map((m, i) => [m, i + 1]),
);
const DAY_NAMES: Record<string, number> = Object.fromEntries(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"].map((d, i) => [d, i]));

const ALIASES: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** One field: any value, every N from the start, or a set of values. */
type Field = { kind: "any" } | { kind: "step"; every: number } | { kind: "values"; values: number[] };

class Unsupported extends Error {}

function num(text: string, min: number, max: number, names?: Record<string, number>): number {
  const t = text.toUpperCase();
  const n = names && t in names ? names[t] : /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new Unsupported(text);
  return n;
}

function parseField(text: string, min: number, max: number, names?: Record<string, number>): Field {
  if (text === "*" || text === "?") return { kind: "any" };
  const step = /^(\*|\d+)\/(\d+)$/.exec(text);
  if (step) {
    const every = Number(step[2]);
    const start = step[1] === "*" ? min : Number(step[1]);
    if (every < 1 || start !== min) throw new Unsupported(text);
    return every === 1 ? { kind: "any" } : { kind: "step", every };
  }
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const range = /^([^-]+)-([^-]+)$/.exec(part);
    if (range) {
      const a = num(range[1], min, max, names);
      const b = num(range[2], min, max, names);
      if (b < a) throw new Unsupported(part);
      for (let i = a; i <= b; i++) values.add(i);
    } else {
      values.add(num(part, min, max, names));
    }
  }
  return { kind: "values", values: [...values].sort((x, y) => x - y) };
}

const pad = (n: number) => String(n).padStart(2, "0");

/** "2nd", "3rd", "4th", "11th", "21st". */
function ordinal(n: number): string {
  const t = n % 100;
  const suffix = t >= 11 && t <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}

/** "a", "a and b", "a, b and c". */
function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** Consecutive runs of at least three values read as "from–to". */
function runs(values: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of values) {
    const last = out[out.length - 1];
    if (last && v === last[1] + 1) last[1] = v;
    else out.push([v, v]);
  }
  return out;
}

function weekdays(values: readonly number[]): string {
  // 7 is Sunday too.
  const days = [...new Set(values.map((d) => d % 7))].sort((a, b) => a - b);
  if (days.length === 7) return "every day";
  if (days.length === 1) return `every ${DAYS[days[0]]}`;
  if (days.length === 2 && days[0] === 0 && days[1] === 6) return "on Saturday and Sunday";
  const r = runs(days);
  if (r.length === 1 && r[0][1] - r[0][0] >= 2) return `${DAYS[r[0][0]]} to ${DAYS[r[0][1]]}`;
  return `on ${list(days.map((d) => DAYS[d]))}`;
}

function ordinalDays(values: readonly number[]): string {
  return values.length === 1 ? `day ${values[0]}` : `days ${list(values.map(String))}`;
}

/** The day part, or null for a shape not described ("" for every day). */
function dayPart(dom: Field, mon: Field, dow: Field): string | null {
  if (dom.kind === "step" || mon.kind === "step" || dow.kind === "step") return null;
  const anyDom = dom.kind === "any";
  const anyMon = mon.kind === "any";
  const anyDow = dow.kind === "any";
  if (anyDom && anyMon && anyDow) return "";
  // Both a day of the month and a weekday: cron fires on either, a rare and confusing shape.
  if (!anyDom && !anyDow) return null;
  const months = mon.kind === "values" ? mon.values : [];
  if (!anyDow && dow.kind === "values") {
    const d = weekdays(dow.values);
    return anyMon ? d : `${d} in ${list(months.map((m) => MONTHS[m - 1]))}`;
  }
  if (dom.kind === "values") {
    if (anyMon) return `on ${ordinalDays(dom.values)} of every month`;
    if (months.length === 1) {
      const days = dom.values.length === 1 ? String(dom.values[0]) : list(dom.values.map(String));
      return `on ${days} ${MONTHS[months[0] - 1]} every year`;
    }
    return `on ${ordinalDays(dom.values)} of ${list(months.map((m) => MONTHS[m - 1]))}`;
  }
  // Any day of some months.
  return `every day in ${list(months.map((m) => MONTHS[m - 1]))}`;
}

function joinDay(time: string, day: string, daily: boolean): string {
  if (day === "") return daily ? `${time} every day` : time;
  if (day === "every day") return `${time} every day`;
  return daily && day.startsWith("every ") ? `${time} ${day}` : `${time}, ${day}`;
}

/** The words for the fields (seconds first), or null when the shape is not a common one. */
function describeFields(f: string[]): string | null {
  const [secT, minT, hourT, domT, monT, dowT] = f;
  const sec = parseField(secT, 0, 59);
  const min = parseField(minT, 0, 59);
  const hour = parseField(hourT, 0, 23);
  const dom = parseField(domT, 1, 31);
  const mon = parseField(monT, 1, 12, MONTH_NAMES);
  const dow = parseField(dowT, 0, 7, DAY_NAMES);
  const day = dayPart(dom, mon, dow);
  if (day === null) return null;
  const single = (x: Field) => (x.kind === "values" && x.values.length === 1 ? x.values[0] : null);
  const s = single(sec);
  const atSecond = s !== null && s !== 0 ? ` at second ${s}` : "";

  // Several times a minute.
  if (sec.kind !== "values" || sec.values.length > 1) {
    if (min.kind !== "any" || hour.kind !== "any") return null;
    if (sec.kind === "any") return joinDay("every second", day, false);
    if (sec.kind === "step") return joinDay(`every ${sec.every} s`, day, false);
    return joinDay(`at seconds ${list(sec.values.map(String))} of every minute`, day, false);
  }
  // Once a minute, or every N minutes.
  if (min.kind === "any" || min.kind === "step") {
    const every = min.kind === "any" ? "every minute" : `every ${min.every} min`;
    if (hour.kind === "any") return joinDay(`${every}${atSecond}`, day, false);
    if (hour.kind === "values") {
      const r = runs(hour.values);
      if (r.length === 1 && r[0][0] !== r[0][1]) {
        return joinDay(`${every}${atSecond} from ${pad(r[0][0])}:00 to ${pad(r[0][1])}:59`, day, false);
      }
      if (hour.values.length === 1) return joinDay(`${every}${atSecond} from ${pad(hour.values[0])}:00 to ${pad(hour.values[0])}:59`, day, false);
    }
    return null;
  }
  // Fixed minutes.
  const minutes = min.values;
  const mins = list(minutes.map(String));
  const minuteWord = minutes.length === 1 ? `minute ${mins}` : `minutes ${mins}`;
  if (hour.kind === "any") return joinDay(`at ${minuteWord}${atSecond} of every hour`, day, false);
  if (hour.kind === "step") return joinDay(`at ${minuteWord}${atSecond} of every ${ordinal(hour.every)} hour`, day, false);
  const hours = hour.values;
  const times = hours.length * minutes.length;
  if (times <= 6) {
    const clock = (h: number, m: number) => `${pad(h)}:${pad(m)}${s !== null && s !== 0 ? `:${pad(s)}` : ""}`;
    const all = hours.flatMap((h) => minutes.map((m) => clock(h, m)));
    return joinDay(`at ${list(all)}`, day, true);
  }
  const r = runs(hours);
  if (r.length === 1) return joinDay(`at ${minuteWord}${atSecond} of every hour from ${pad(r[0][0])}:00 to ${pad(r[0][1])}:59`, day, false);
  return null;
}

/**
 * A schedule in words with its time zone ("UTC" when none is set), or the raw expression
 * (with the zone) for a shape it does not describe. `cron` has 5 fields, or 6 with seconds
 * first; `@daily`-style shorthands are understood.
 */
export function describeSchedule(cron: string | null | undefined, tz: string | null | undefined): string {
  const zone = tz && tz.trim() ? tz.trim() : "UTC";
  const raw = (cron ?? "").trim();
  if (raw === "") return "manual only";
  const expr = ALIASES[raw.toLowerCase()] ?? raw;
  const fields = expr.split(/\s+/);
  let text: string | null = null;
  if (fields.length === 5 || fields.length === 6) {
    try {
      text = describeFields(fields.length === 5 ? ["0", ...fields] : fields);
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      text = null;
    }
  }
  return `${text ?? raw}, ${zone}`;
}
