import { describe, expect, it } from "vitest";
import type { Attempt, Endpoint } from "./types";
import {
  SECRET_MASK,
  addressProblem,
  attemptResult,
  defaultSmtpPort,
  emailFormProblems,
  emptyEmailForm,
  emptyEndpointForm,
  endpointHints,
  endpointToForm,
  formToEndpoint,
  parseSmtpUrl,
  portAfterSecurityChange,
  smtpUrl,
  splitAddresses,
  type EndpointForm,
} from "./notify";

const emailForm = (e: Partial<EndpointForm["email"]> = {}): EndpointForm => ({
  ...emptyEndpointForm(),
  name: "Ops mail",
  preset: "email",
  email: { ...emptyEmailForm(), host: "smtp.example.com", from: "vigil@example.com", to: "ops@example.com", ...e },
});

describe("email endpoint form", () => {
  it("builds an email endpoint: smtp URL from host and port, no webhook fields", () => {
    const e = formToEndpoint(emailForm({ port: "2525", username: " me ", password: "pw", to: "a@x.org; Bob <b@y.org>\nc@z.org" }), 4);
    expect(e).toEqual({
      id: 4,
      name: "Ops mail",
      url: "smtp://smtp.example.com:2525",
      preset: "email",
      enabled: true,
      timeout_ms: 10000,
      max_attempts: 8,
      backoff_ms: 5000,
      email: {
        from: "vigil@example.com",
        to: ["a@x.org", "Bob <b@y.org>", "c@z.org"],
        username: "me",
        password: "pw",
        tls: "starttls",
        accept_invalid_certs: false,
      },
    });
    expect(e).not.toHaveProperty("method");
    expect(e).not.toHaveProperty("headers");
    expect(e).not.toHaveProperty("signing_secret");
  });

  it("uses the security's usual port when the port is empty", () => {
    expect(formToEndpoint(emailForm({ port: "", tls: "tls" })).url).toBe("smtp://smtp.example.com:465");
    expect(formToEndpoint(emailForm({ port: " ", tls: "none" })).url).toBe("smtp://smtp.example.com:25");
    expect(formToEndpoint(emailForm({ port: "", tls: "starttls" })).url).toBe("smtp://smtp.example.com:587");
    expect(defaultSmtpPort("tls")).toBe(465);
  });

  it("round-trips a stored email endpoint, keeping the masked password as the mask (kept unless changed)", () => {
    const stored: Endpoint = {
      id: 7,
      name: "Ops mail",
      url: "smtp://mail.local:465",
      preset: "email",
      enabled: false,
      timeout_ms: 3000,
      max_attempts: 2,
      backoff_ms: 100,
      email: { from: "Vigil <v@mail.local>", to: ["a@x.org", "b@y.org"], username: "v", password: SECRET_MASK, tls: "tls", accept_invalid_certs: true },
    };
    const f = endpointToForm(stored);
    expect(f.preset).toBe("email");
    expect(f.url).toBe("");
    expect(f.email).toEqual({ host: "mail.local", port: "465", tls: "tls", username: "v", password: SECRET_MASK, from: "Vigil <v@mail.local>", to: "a@x.org, b@y.org", accept_invalid_certs: true });
    expect(formToEndpoint(f, 7)).toEqual(stored);
    // clearing the password removes it; a new one is sent as typed
    expect(formToEndpoint({ ...f, email: { ...f.email, password: "" } }, 7).email).not.toHaveProperty("password");
    expect(formToEndpoint({ ...f, email: { ...f.email, password: "new" } }, 7).email?.password).toBe("new");
  });

  it("reads an endpoint without a password or user name as empty fields", () => {
    const f = endpointToForm({ name: "m", url: "smtp://[::1]:25", preset: "email", email: { from: "a@b.c", to: ["d@e.f"], tls: "none" } });
    expect(f.email).toMatchObject({ host: "[::1]", port: "25", username: "", password: "", accept_invalid_certs: false });
    expect(formToEndpoint(f).url).toBe("smtp://[::1]:25");
  });

  it("a webhook endpoint has no email and an untouched email form", () => {
    const f = endpointToForm({ name: "w", url: "https://h/x", preset: "slack" });
    expect(f.email).toEqual(emptyEmailForm());
    expect(formToEndpoint(f)).not.toHaveProperty("email");
    expect(endpointHints(emailForm())).toEqual([]);
  });

  it("parses and builds smtp URLs", () => {
    expect(parseSmtpUrl("smtp://h:1")).toEqual({ host: "h", port: "1" });
    expect(parseSmtpUrl("smtp://h/")).toEqual({ host: "h", port: "" });
    expect(parseSmtpUrl("SMTP://[fe80::1]:587")).toEqual({ host: "[fe80::1]", port: "587" });
    expect(parseSmtpUrl("https://h")).toBeNull();
    expect(parseSmtpUrl("smtp://user@h:25")).toBeNull();
    expect(smtpUrl(" ::1 ", 25)).toBe("smtp://[::1]:25");
    expect(smtpUrl("[::1]", 25)).toBe("smtp://[::1]:25");
  });

  it("moves the port with the security unless it was chosen by hand", () => {
    expect(portAfterSecurityChange("587", "starttls", "tls")).toBe("465");
    expect(portAfterSecurityChange("", "starttls", "none")).toBe("25");
    expect(portAfterSecurityChange("2525", "starttls", "tls")).toBe("2525");
    expect(portAfterSecurityChange("465", "starttls", "none")).toBe("465");
  });

  it("an email delivery that went through reads as sent, an OS one as shown", () => {
    const a: Attempt = { n: 1, ts: 0, status_code: null, error: null, latency_ms: 5 };
    expect(attemptResult(a, "email")).toBe("sent");
    expect(attemptResult(a)).toBe("shown");
    expect(attemptResult({ ...a, error: "connection refused" }, "email")).toBe("connection refused");
  });
});

describe("email addresses", () => {
  it("splits lists at commas, semicolons and new lines, not inside quotes or brackets", () => {
    expect(splitAddresses("a@x.org, b@y.org;c@z.org\r\n\n d@w.org ,, ")).toEqual(["a@x.org", "b@y.org", "c@z.org", "d@w.org"]);
    expect(splitAddresses('"Doe, Jane" <jane@x.org>, <odd,one@y.org>')).toEqual(['"Doe, Jane" <jane@x.org>', "<odd,one@y.org>"]);
    expect(splitAddresses("")).toEqual([]);
    expect(splitAddresses(" , ; \n")).toEqual([]);
  });

  it("accepts what the engine accepts", () => {
    for (const ok of ["a@b", "a.b+tag@example.co.uk", "Vigil <v@example.com>", "  x@y.z  ", '"Doe, Jane" <jane@x.org>', "ünï@例え.jp", "<a@b.c>"]) {
      expect(addressProblem(ok), ok).toBeNull();
    }
  });

  it("refuses odd inputs with a plain reason", () => {
    const cases: [string, RegExp][] = [
      ["", /Enter/],
      ["   ", /Enter/],
      ["plain", /not an email address/],
      ["@example.com", /not an email address/],
      ["me@", /not an email address/],
      ["a@b@c", /not an email address/],
      ["a b@c.d", /not an email address/],
      ["a@.c", /not an email address/],
      ["a@c.", /not an email address/],
      ["Name <a@b.c", /close the address/],
      ["Name <>", /not an email address/],
      ["a@b\n.c", /control/],
      ["a\u0007@b.c", /control/],
      [`${"x".repeat(250)}@b.cd`, /too long/],
    ];
    for (const [text, re] of cases) expect(addressProblem(text), JSON.stringify(text)).toMatch(re);
  });

  it("checks the whole email form by the daemon's field paths", () => {
    expect(emailFormProblems(emailForm().email)).toEqual({});
    const p = emailFormProblems({ ...emptyEmailForm(), port: "70000", password: "x" });
    expect(Object.keys(p).sort()).toEqual(["email.from", "email.port", "email.to", "email.username", "url"]);
    expect(emailFormProblems({ ...emailForm().email, to: "ok@x.org, nope" })["email.to"]).toMatch(/“nope” is not an email address/);
    expect(emailFormProblems({ ...emailForm().email, to: Array.from({ length: 51 }, (_, i) => `u${i}@x.org`).join(",") })["email.to"]).toMatch(/50/);
    expect(emailFormProblems({ ...emailForm().email, host: "smtp://h" }).url).toMatch(/host name/);
    expect(emailFormProblems({ ...emailForm().email, host: "h:2525" }).url).toMatch(/port box/);
    expect(emailFormProblems({ ...emailForm().email, host: "[::1]" })).toEqual({});
    expect(emailFormProblems({ ...emailForm().email, password: SECRET_MASK, username: "u" })).toEqual({});
  });
});
