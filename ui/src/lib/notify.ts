// Pure logic of the notification pages: the endpoint and rule editors' form models and
// hints, the delivery log's paging and wording, and the help text of job trigger credentials.
import type {
  Attempt,
  Channel,
  Delivery,
  DeliveryStatus,
  EmailSettings,
  EmailTls,
  Endpoint,
  EventKind,
  Header,
  Method,
  Preset,
  Rule,
  TriggerKind,
} from "./types";
import { EVENT_LABELS, eventLabel } from "./labels";
import { parseTags } from "./format";
import { Timer } from "./timer";
import { FormError } from "./errors";

export { FormError };

/** What secret values look like when read back; saving it unchanged keeps the stored secret. */
export const SECRET_MASK = "********";

/** Filter of `listDeliveries`; unset fields are not sent (HTTP) or sent as null (IPC). */
// ------------------------------------------------------------ endpoints

export const PRESETS: readonly { value: Preset; label: string; hint: string }[] = [
  { value: "json", label: "Generic JSON", hint: 'A JSON object: {"event": {…}, "subject": …, "count": …, "text": …}.' },
  { value: "slack", label: "Slack", hint: 'A Slack incoming webhook: {"text": …}.' },
  { value: "discord", label: "Discord", hint: 'A Discord webhook: {"content": …} (cut at 2,000 characters).' },
  { value: "teams", label: "Microsoft Teams", hint: "A Teams incoming webhook (a MessageCard with title and text)." },
  { value: "custom", label: "Custom template", hint: "Your own JSON body with {{field}} placeholders." },
  { value: "email", label: "Email (SMTP)", hint: "Each notice as a plain-text email, sent through your mail server." },
];

export function presetLabel(p: Preset | undefined): string {
  return PRESETS.find((x) => x.value === (p ?? "json"))?.label ?? String(p);
}

export const METHODS: readonly Method[] = ["POST", "PUT", "PATCH"];

/** The placeholders a custom template may use. */
export const TEMPLATE_FIELDS: readonly string[] = [
  "id",
  "ts",
  "time",
  "kind",
  "title",
  "message",
  "detail",
  "text",
  "program_id",
  "job_id",
  "subject",
  "count",
];

export const TEMPLATE_EXAMPLE = '{"text": "{{title}}: {{text}}"}';

/** The daemon's defaults for a new endpoint. */
export const ENDPOINT_DEFAULTS = {
  method: "POST" as Method,
  preset: "json" as Preset,
  timeout_ms: 10_000,
  max_attempts: 8,
  backoff_ms: 5_000,
  enabled: true,
};

/** One header row of the editor. */
export type HeaderRow = { name: string; value: string; secret: boolean };

/** The endpoint editor's fields as typed. */
export type EndpointForm = {
  name: string;
  /** The webhook's URL (the email preset builds its own from host and port). */
  url: string;
  method: Method;
  preset: Preset;
  template: string;
  headers: HeaderRow[];
  /** Empty: no signature; the mask: keep the stored one. */
  signing_secret: string;
  timeout_ms: string;
  max_attempts: string;
  backoff_ms: string;
  enabled: boolean;
  /** The email preset's fields. */
  email: EmailForm;
};

/** The email preset's fields as typed. */
export type EmailForm = {
  host: string;
  /** Empty: the security's usual port. */
  port: string;
  tls: EmailTls;
  username: string;
  /** Empty: no password; the mask: keep the stored one. */
  password: string;
  from: string;
  /** Addresses separated by commas, semicolons or new lines. */
  to: string;
  accept_invalid_certs: boolean;
};

export const EMAIL_SECURITY: readonly { value: EmailTls; label: string; port: number }[] = [
  { value: "starttls", label: "STARTTLS (encrypted after connecting)", port: 587 },
  { value: "tls", label: "TLS from the start (SMTPS)", port: 465 },
  { value: "none", label: "None (not encrypted)", port: 25 },
];

/** The usual port of a security: 587 for STARTTLS, 465 for TLS, 25 for none. */
export function defaultSmtpPort(tls: EmailTls): number {
  return EMAIL_SECURITY.find((x) => x.value === tls)?.port ?? 587;
}

/** The port after the security changes: a port that was the old usual one (or empty) follows; one chosen by hand stays. */
export function portAfterSecurityChange(port: string, from: EmailTls, to: EmailTls): string {
  const t = port.trim();
  return t === "" || t === String(defaultSmtpPort(from)) ? String(defaultSmtpPort(to)) : port;
}

export function emptyEmailForm(): EmailForm {
  return { host: "", port: "587", tls: "starttls", username: "", password: "", from: "", to: "", accept_invalid_certs: false };
}

/** Host and port of an `smtp://host:port` URL (a bracketed IPv6 host keeps its brackets); null when it is not one. */
export function parseSmtpUrl(url: string): { host: string; port: string } | null {
  const m = /^smtp:\/\/(\[[^\]\s]+\]|[^\s:/?#@[\]]+)(?::(\d{1,5}))?\/?$/i.exec(url.trim());
  return m ? { host: m[1], port: m[2] ?? "" } : null;
}

/** The URL of an email endpoint: `smtp://host:port` (an IPv6 host in brackets). */
export function smtpUrl(host: string, port: number): string {
  const h = host.trim();
  const bracketed = h.includes(":") && !h.startsWith("[") ? `[${h}]` : h;
  return `smtp://${bracketed}:${port}`;
}

/**
 * A list of addresses as typed, one item per address: split at commas, semicolons and line
 * breaks outside quotes and angle brackets (`"Doe, Jane" <jane@example.com>` stays whole).
 */
export function splitAddresses(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  let angle = false;
  for (const c of text) {
    if (c === '"' && !angle) quoted = !quoted;
    else if (c === "<" && !quoted) angle = true;
    else if (c === ">" && !quoted) angle = false;
    if (!quoted && !angle && (c === "," || c === ";" || c === "\n" || c === "\r")) {
      if (cur.trim() !== "") out.push(cur.trim());
      cur = "";
    } else cur += c;
  }
  if (cur.trim() !== "") out.push(cur.trim());
  return out;
}

/**
 * What is wrong with one address, in plain words, or null. The engine's rule: `local@domain`,
 * or `Name <local@domain>`; at most 254 characters; no control characters; no spaces in the
 * address; the domain does not start or end with a dot.
 */
export function addressProblem(text: string): string | null {
  const t = text.trim();
  if (t === "") return "Enter an address.";
  if (t.length > 254) return `“${short(t)}” is too long for an address.`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(t)) return `“${short(t)}” has a control character.`;
  const lt = t.lastIndexOf("<");
  const addr = lt >= 0 && t.endsWith(">") ? t.slice(lt + 1, -1) : t;
  if (lt >= 0 && !t.endsWith(">")) return `“${short(t)}”: close the address with “>”.`;
  const at = addr.indexOf("@");
  const local = at >= 0 ? addr.slice(0, at) : "";
  const domain = at >= 0 ? addr.slice(at + 1) : "";
  if (at < 0 || local === "" || domain === "" || domain.includes("@") || /\s/.test(addr) || domain.startsWith(".") || domain.endsWith(".")) {
    return `“${short(t)}” is not an email address: write it as name@example.com.`;
  }
  return null;
}

function short(t: string): string {
  return t.length > 40 ? `${t.slice(0, 37)}…` : t;
}

/**
 * The email form's own checks, by the daemon's field path: host, port, sender, recipients
 * (at least one, at most 50, each an address), a password only with a user name.
 */
export function emailFormProblems(f: EmailForm): Record<string, string> {
  const out: Record<string, string> = {};
  const host = f.host.trim();
  if (host === "") out.url = "Enter the mail server's host name, like smtp.example.com.";
  else if (/\s|\/|@/.test(host) || host.includes("://")) out.url = "Only the host name here, like smtp.example.com (the port has its own box).";
  else if (/^[^:[\]]+:\d*$/.test(host)) out.url = "Put the port in the port box, not after the host.";
  const port = f.port.trim();
  if (port !== "" && (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)) out["email.port"] = "A port is a whole number from 1 to 65535.";
  const from = addressProblem(f.from);
  if (from) out["email.from"] = f.from.trim() === "" ? "Enter the sender's address." : from;
  const to = splitAddresses(f.to);
  if (to.length === 0) out["email.to"] = "Enter at least one recipient.";
  else if (to.length > 50) out["email.to"] = "At most 50 recipients.";
  else {
    const bad = to.map(addressProblem).find((p) => p !== null);
    if (bad) out["email.to"] = bad;
  }
  if (f.password !== "" && f.username.trim() === "") out["email.username"] = "A password needs a user name.";
  return out;
}

export function emptyHeaderRow(): HeaderRow {
  return { name: "", value: "", secret: false };
}

export function emptyEndpointForm(): EndpointForm {
  return {
    name: "",
    url: "",
    method: ENDPOINT_DEFAULTS.method,
    preset: ENDPOINT_DEFAULTS.preset,
    template: "",
    headers: [],
    signing_secret: "",
    timeout_ms: String(ENDPOINT_DEFAULTS.timeout_ms),
    max_attempts: String(ENDPOINT_DEFAULTS.max_attempts),
    backoff_ms: String(ENDPOINT_DEFAULTS.backoff_ms),
    enabled: ENDPOINT_DEFAULTS.enabled,
    email: emptyEmailForm(),
  };
}

function emailToForm(url: string, m: EmailSettings): EmailForm {
  const tls = m.tls ?? "starttls";
  const at = parseSmtpUrl(url);
  return {
    host: at?.host ?? "",
    port: at?.port || String(defaultSmtpPort(tls)),
    tls,
    username: m.username ?? "",
    password: m.password ?? "",
    from: m.from,
    to: m.to.join(", "),
    accept_invalid_certs: m.accept_invalid_certs ?? false,
  };
}

/** The form for a stored endpoint; secrets (the signing secret, the email password) stay masked as the daemon sent them. */
export function endpointToForm(e: Endpoint): EndpointForm {
  const email = e.preset === "email";
  return {
    name: e.name,
    url: email ? "" : e.url,
    method: e.method ?? ENDPOINT_DEFAULTS.method,
    preset: e.preset ?? ENDPOINT_DEFAULTS.preset,
    template: e.template ?? "",
    headers: (e.headers ?? []).map((h) => ({ name: h.name, value: h.value, secret: h.secret === true })),
    signing_secret: e.signing_secret ?? "",
    timeout_ms: String(e.timeout_ms ?? ENDPOINT_DEFAULTS.timeout_ms),
    max_attempts: String(e.max_attempts ?? ENDPOINT_DEFAULTS.max_attempts),
    backoff_ms: String(e.backoff_ms ?? ENDPOINT_DEFAULTS.backoff_ms),
    enabled: e.enabled ?? ENDPOINT_DEFAULTS.enabled,
    email: email && e.email ? emailToForm(e.url, e.email) : emptyEmailForm(),
  };
}

function wholeNumber(text: string, what: string, path?: string): number {
  const t = text.trim();
  if (!/^\d+$/.test(t) || !Number.isSafeInteger(Number(t))) {
    throw new FormError(`${what}: enter a whole number${t ? `, not "${t}"` : ""}.`, path);
  }
  return Number(t);
}

/** The `email` of an email endpoint, and its URL. */
export function formToEmail(f: EmailForm): { url: string; email: EmailSettings } {
  const port = f.port.trim() === "" ? defaultSmtpPort(f.tls) : wholeNumber(f.port, "Port", "email.port");
  const email: EmailSettings = {
    from: f.from.trim(),
    to: splitAddresses(f.to),
    tls: f.tls,
    accept_invalid_certs: f.accept_invalid_certs,
  };
  if (f.username.trim() !== "") email.username = f.username.trim();
  // The mask keeps the stored password; empty removes it.
  if (f.password !== "") email.password = f.password;
  return { url: smtpUrl(f.host, port), email };
}

/**
 * The endpoint to save. Only what the form cannot send at all (a number that is not one) is
 * refused here, with a FormError; everything else is the daemon's to judge, so its message
 * is what the user sees. Rows without name and value are dropped; an empty signing secret
 * or template is left out (no signature, no template).
 */
export function formToEndpoint(f: EndpointForm, id?: number): Endpoint {
  if (f.preset === "email") {
    const { url, email } = formToEmail(f.email);
    const e: Endpoint = {
      name: f.name.trim(),
      url,
      preset: "email",
      enabled: f.enabled,
      timeout_ms: wholeNumber(f.timeout_ms, "Timeout", "timeout_ms"),
      max_attempts: wholeNumber(f.max_attempts, "Attempts", "max_attempts"),
      backoff_ms: wholeNumber(f.backoff_ms, "Backoff", "backoff_ms"),
      email,
    };
    if (id !== undefined && id > 0) e.id = id;
    return e;
  }
  const headers: Header[] = f.headers
    .filter((h) => h.name.trim() !== "" || h.value !== "")
    .map((h) => ({ name: h.name.trim(), value: h.value, secret: h.secret }));
  const e: Endpoint = {
    name: f.name.trim(),
    url: f.url.trim(),
    method: f.method,
    headers,
    preset: f.preset,
    enabled: f.enabled,
    timeout_ms: wholeNumber(f.timeout_ms, "Timeout", "timeout_ms"),
    max_attempts: wholeNumber(f.max_attempts, "Attempts", "max_attempts"),
    backoff_ms: wholeNumber(f.backoff_ms, "Backoff", "backoff_ms"),
  };
  if (id !== undefined && id > 0) e.id = id;
  if (f.template.trim() !== "") e.template = f.template;
  if (f.signing_secret.trim() !== "") e.signing_secret = f.signing_secret;
  return e;
}

/** The `{{name}}` placeholders of a template, in order, each once. */
export function templatePlaceholders(template: string): string[] {
  const seen = new Set<string>();
  // As the daemon reads them: `{{`, then up to the next `}}`, trimmed.
  let rest = template;
  for (;;) {
    const start = rest.indexOf("{{");
    if (start < 0) break;
    const end = rest.indexOf("}}", start + 2);
    if (end < 0) break;
    seen.add(rest.slice(start + 2, end).trim());
    rest = rest.slice(end + 2);
  }
  return [...seen];
}

/**
 * Advice while editing an endpoint. It does not block saving: the daemon has the last word
 * and its message is shown when it refuses.
 */
export function endpointHints(f: EndpointForm): string[] {
  const hints: string[] = [];
  if (f.preset === "email") return hints;
  const url = f.url.trim();
  if (url !== "" && !/^https?:\/\/[^/?#\s]+/i.test(url)) hints.push("The URL must start with http:// or https:// and name a host.");
  if (f.preset === "custom") {
    if (f.template.trim() === "") hints.push(`The custom preset needs a template, such as ${TEMPLATE_EXAMPLE}.`);
    const unknown = templatePlaceholders(f.template).filter((p) => !TEMPLATE_FIELDS.includes(p));
    if (unknown.length > 0) {
      hints.push(`Unknown placeholder${unknown.length > 1 ? "s" : ""} ${unknown.map((u) => `{{${u}}}`).join(", ")}.`);
    }
  }
  const names = f.headers.map((h) => h.name.trim().toLowerCase()).filter((n) => n !== "");
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) hints.push(`The header "${dup}" is set twice.`);
  if (f.headers.some((h) => h.secret && h.value === SECRET_MASK && h.name.trim() === "")) {
    hints.push("A secret header without a name cannot keep its stored value.");
  }
  return hints;
}

// ------------------------------------------------------------ rules

/** Groups of event kinds for the rule editor, in the order shown. */
export type KindGroup = { label: string; kinds: EventKind[] };

export const ALL_EVENT_KINDS: readonly EventKind[] = Object.keys(EVENT_LABELS) as EventKind[];

function groupOf(kind: EventKind): string {
  if (kind.startsWith("engine_") || kind === "settings_changed") return "Engine";
  if (kind.startsWith("program_") || kind === "restart_given_up") return "Programs";
  if (kind.startsWith("threshold_")) return "Resource limits";
  if (kind.startsWith("job_") || kind.startsWith("run_")) return "Jobs";
  if (kind.startsWith("delivery_") || kind.startsWith("endpoint_")) return "Notifications";
  if (kind.startsWith("check_") || kind.startsWith("plugin_") || kind.startsWith("action_")) return "Checks and actions";
  return "Other";
}

const GROUP_ORDER = ["Programs", "Resource limits", "Jobs", "Checks and actions", "Engine", "Notifications", "Other"];

/** Every event kind once, grouped; kinds the UI does not know yet land in "Other". */
export function eventKindGroups(kinds: readonly EventKind[] = ALL_EVENT_KINDS): KindGroup[] {
  const by = new Map<string, EventKind[]>();
  for (const k of kinds) {
    const g = groupOf(k);
    by.set(g, [...(by.get(g) ?? []), k]);
  }
  return GROUP_ORDER.filter((g) => by.has(g)).map((g) => ({ label: g, kinds: by.get(g) ?? [] }));
}

/** The rule editor's fields. */
export type RuleForm = {
  name: string;
  enabled: boolean;
  /** Empty: every kind. */
  kinds: EventKind[];
  programs: number[];
  jobs: string[];
  /** Comma separated. */
  tags: string;
  os: boolean;
  endpoints: number[];
  fold_secs: string;
};

export const DEFAULT_FOLD_SECS = 300;
export const MAX_FOLD_SECS = 86_400;

export function emptyRuleForm(): RuleForm {
  return {
    name: "",
    enabled: true,
    kinds: [],
    programs: [],
    jobs: [],
    tags: "",
    os: false,
    endpoints: [],
    fold_secs: String(DEFAULT_FOLD_SECS),
  };
}

export function ruleToForm(r: Rule): RuleForm {
  return {
    name: r.name,
    enabled: r.enabled ?? true,
    kinds: [...(r.kinds ?? [])],
    programs: [...(r.programs ?? [])],
    jobs: [...(r.jobs ?? [])],
    tags: (r.tags ?? []).join(", "),
    os: r.os ?? false,
    endpoints: [...(r.endpoints ?? [])],
    fold_secs: String(r.fold_secs ?? DEFAULT_FOLD_SECS),
  };
}

/** The rule to save; a fold window that is not a whole number is a FormError. */
export function formToRule(f: RuleForm, id?: number): Rule {
  const r: Rule = {
    name: f.name.trim(),
    enabled: f.enabled,
    kinds: [...f.kinds],
    programs: [...f.programs],
    jobs: [...f.jobs],
    tags: parseTags(f.tags),
    os: f.os,
    endpoints: [...f.endpoints],
    fold_secs: wholeNumber(f.fold_secs, "Fold window", "fold_secs"),
  };
  if (id !== undefined && id > 0) r.id = id;
  return r;
}

/** Advice while editing a rule (not blocking: the daemon decides). */
export function ruleHints(f: RuleForm): string[] {
  const hints: string[] = [];
  if (!f.os && f.endpoints.length === 0) hints.push("Choose a channel: the OS notification or at least one endpoint.");
  const fold = Number(f.fold_secs.trim());
  if (/^\d+$/.test(f.fold_secs.trim()) && fold > MAX_FOLD_SECS) hints.push(`The fold window is at most ${MAX_FOLD_SECS} s (a day).`);
  return hints;
}

/** `list` with `v` added (at the end) or removed. */
export function toggled<T>(list: readonly T[], v: T, on: boolean): T[] {
  const without = list.filter((x) => x !== v);
  return on ? [...without, v] : without;
}

/** "5 min", "90 s", "1 h", "every event". */
export function formatFold(secs: number): string {
  if (secs <= 0) return "every event";
  if (secs % 3600 === 0) return `${secs / 3600} h`;
  if (secs % 60 === 0) return `${secs / 60} min`;
  return `${secs} s`;
}

export type Names = {
  endpoints?: ReadonlyMap<number, string>;
  programs?: ReadonlyMap<number, string>;
};

function listed(items: string[], max = 3): string {
  return items.length > max ? `${items.slice(0, max).join(", ")} +${items.length - max}` : items.join(", ");
}

/** What a rule sends, on what, and where, in words for the rules table. */
export function describeRule(r: Rule, names: Names = {}): { events: string; scope: string; channels: string; fold: string } {
  const kinds = r.kinds ?? [];
  const events = kinds.length === 0 ? "all events" : listed(kinds.map(eventLabel));
  const parts: string[] = [];
  const programs = r.programs ?? [];
  const jobs = r.jobs ?? [];
  const tags = r.tags ?? [];
  if (programs.length > 0) parts.push(`programs ${listed(programs.map((p) => names.programs?.get(p) ?? `#${p}`))}`);
  if (jobs.length > 0) parts.push(`jobs ${listed(jobs)}`);
  if (tags.length > 0) parts.push(`tags ${listed(tags)}`);
  const scope = parts.length === 0 ? "everything" : parts.join("; ");
  const channels = [
    ...(r.os ? ["OS notification"] : []),
    ...(r.endpoints ?? []).map((id) => names.endpoints?.get(id) ?? `endpoint #${id}`),
  ];
  const fold = r.fold_secs ?? DEFAULT_FOLD_SECS;
  return {
    events,
    scope,
    channels: channels.length === 0 ? "none" : channels.join(", "),
    fold: fold === 0 ? "every event" : `folds repeats within ${formatFold(fold)}`,
  };
}

// ------------------------------------------------------------ deliveries

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ["pending", "delivered", "dead"];

/** Where a delivery goes: "OS notification", the endpoint's name, or its id when it is gone. */
export function deliveryTarget(d: Delivery, endpoints: ReadonlyMap<number, string>): string {
  if (d.channel === "os") return "OS notification";
  if (d.endpoint_id === null) return "webhook";
  return endpoints.get(d.endpoint_id) ?? `endpoint #${d.endpoint_id} (removed)`;
}

/**
 * The log after reloading its first page: the fresh page, then the older rows already loaded
 * below it (so paging back survives a refresh). An empty first page empties the log.
 */
export function mergeFirstPage<T extends { id: number }>(fresh: readonly T[], shown: readonly T[]): T[] {
  if (fresh.length === 0) return [];
  const oldest = fresh[fresh.length - 1].id;
  return [...fresh, ...shown.filter((x) => x.id < oldest)];
}

/** The log after loading the page older than what is shown (rows already shown are not repeated). */
export function appendPage<T extends { id: number }>(shown: readonly T[], older: readonly T[]): T[] {
  const have = new Set(shown.map((x) => x.id));
  return [...shown, ...older.filter((x) => !have.has(x.id))];
}

/** The `before` cursor of the next older page: the oldest id shown. */
export function olderCursor(shown: readonly { id: number }[]): number | undefined {
  return shown.length === 0 ? undefined : Math.min(...shown.map((x) => x.id));
}

/** Whether an attempt went through: an OS notification shown, or a 2xx answer. */
export function attemptOk(a: Attempt): boolean {
  return a.error === null && (a.status_code === null || (a.status_code >= 200 && a.status_code < 300));
}

/**
 * "HTTP 200", "HTTP 500", the error when nothing answered, "sent" for an email the server
 * took (`email`: the endpoint is an email one), or "shown" for an OS notification.
 */
export function attemptResult(a: Attempt, how: Channel | "email" = "os"): string {
  if (a.status_code === null) return a.error ?? (how === "os" ? "shown" : "sent");
  return a.error ? `HTTP ${a.status_code}: ${a.error}` : `HTTP ${a.status_code}`;
}

// ------------------------------------------------------------ job trigger credentials

export const TRIGGER_KINDS: readonly { value: TriggerKind; label: string }[] = [
  { value: "token", label: "Token (Authorization: Bearer)" },
  { value: "hmac", label: "HMAC signature (X-Vigil-Signature-256)" },
];

/** Shown in the examples when the UI does not know the daemon's HTTP address (desktop app). */
export const UNKNOWN_BASE = "http://<vigil-host>:<port>";

/** The URL that runs a job: `<base>/hooks/jobs/<id>`. */
export function hookUrl(base: string | null, job: string): string {
  return `${(base ?? UNKNOWN_BASE).replace(/\/+$/, "")}/hooks/jobs/${encodeURIComponent(job)}`;
}

/** `s` as one single-quoted POSIX shell word. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * A shell example that runs the job with the new credential: a curl call with the token, or
 * for an HMAC secret one that signs the body with openssl first.
 */
export function curlExample(kind: TriggerKind, secret: string, base: string | null, job: string): string {
  const url = shellQuote(hookUrl(base, job));
  const body = `'{"options":{}}'`;
  if (kind === "token") {
    return `curl -X POST -H ${shellQuote(`Authorization: Bearer ${secret}`)} -H 'Content-Type: application/json' -d ${body} ${url}`;
  }
  return [
    `body=${body}`,
    `sig=$(printf '%s' "$body" | openssl dgst -sha256 -hmac ${shellQuote(secret)} -r | cut -d' ' -f1)`,
    `curl -X POST -H "X-Vigil-Signature-256: sha256=$sig" -H 'Content-Type: application/json' -d "$body" ${url}`,
  ].join("\n");
}

/**
 * When to look again at deliveries that are still pending, in ms; null when none is.
 * Sending has no event of its own, so a shown pending delivery is read again once it is
 * due (`next_at`, plus a moment for the attempt). `streak` counts rechecks in a row that
 * changed nothing: each doubles the least wait (1 s up to about a minute), so a delivery
 * that stays pending past its time is not asked about every second.
 */
export function pendingRecheckMs(shown: readonly Pick<Delivery, "status" | "next_at">[], now: number, streak = 0): number | null {
  let due = Infinity;
  for (const d of shown) if (d.status === "pending") due = Math.min(due, d.next_at);
  if (due === Infinity) return null;
  const least = 1000 * 2 ** Math.min(Math.max(streak, 0), 6);
  return Math.max(due - now + 500, least);
}

/**
 * Looks again (`load`) when a shown pending delivery is due, by `pendingRecheckMs`: after
 * each load, with the streak of loads that changed nothing.
 */
export class PendingRecheck {
  readonly #timer = new Timer();
  readonly #load: () => void;
  #streak = 0;

  constructor(load: () => void) {
    this.#load = load;
  }

  /** Something happened (an event): the next load counts as the first after a change. */
  restart(): void {
    this.#streak = 0;
  }

  /** After a load that shows `shown`; `changed`: whether it changed what was shown before. */
  loaded(shown: readonly Pick<Delivery, "status" | "next_at">[], changed: boolean): void {
    this.#streak = changed ? 0 : this.#streak + 1;
    const ms = pendingRecheckMs(shown, Date.now(), this.#streak - 1);
    if (ms === null) this.#timer.stop();
    else this.#timer.start(ms, this.#load);
  }

  stop(): void {
    this.#timer.stop();
  }
}

/** The pending deliveries shown, as a key that changes when any of them is sent or dies. */
export function pendingKey(shown: readonly Pick<Delivery, "id" | "status" | "attempts">[]): string {
  return shown
    .filter((d) => d.status === "pending")
    .map((d) => `${d.id}:${d.attempts}`)
    .join(",");
}
