#!/usr/bin/env python3
"""A Vigil-protocol check: GET a URL, answer with its status and latency.

Vigil writes one JSON request on stdin:
    {"kind": "check", "config": {"url": ..., "expect_text": ..., "warn_ms": ...},
     "check": {"id": N, "name": "..."}, "program": {...} | null}
and reads one JSON result on stdout:
    {"status": "ok" | "warning" | "critical" | "unknown", "message": "...",
     "metrics": [{"label": "latency", "value": 12.3, "unit": "ms", "warn": "1000"}],
     "details": {...}}

CRITICAL: the request failed (refused, timed out, TLS, DNS), the server answered 4xx/5xx, or
the body lacks `expect_text`. WARNING: slower than `warn_ms` (default 1000). UNKNOWN: the
config is wrong (no URL, not http/https). Standard library only; Python 3.8 or later.

Try it by hand:
    echo '{"kind":"check","config":{"url":"https://example.com"}}' | python3 check.py
"""

import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

# Vigil kills the plugin after its timeout_secs (15 in plugin.json); give up a bit earlier so
# the answer is a CRITICAL with a reason rather than a killed plugin.
REQUEST_TIMEOUT_SECS = 10.0
# Read at most this much of the body when looking for expect_text.
MAX_BODY_BYTES = 1024 * 1024
DEFAULT_WARN_MS = 1000.0


def answer(status, message, metrics=None, details=None):
    """Print the one JSON result and stop. ASCII-only output (json escapes the rest), so the
    console's code page on Windows cannot garble it."""
    result = {"status": status, "message": message, "metrics": metrics or []}
    if details is not None:
        result["details"] = details
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    sys.exit(0)


def number(value, default, name):
    """A number option: Vigil sends a JSON number, but accept its text too."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    try:
        n = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}") from None
    if n != n or n in (float("inf"), float("-inf")) or n < 0:
        raise ValueError(f"{name} must be a number of milliseconds, got {value!r}")
    return n


def read_request():
    raw = sys.stdin.buffer.read().decode("utf-8", errors="replace")
    if not raw.strip():
        # Run by hand without input: behave as if the config were empty.
        return {}
    request = json.loads(raw)
    if not isinstance(request, dict):
        raise ValueError("the request is not a JSON object")
    return request


def main():
    try:
        request = read_request()
        config = request.get("config") or {}
        if not isinstance(config, dict):
            raise ValueError("config is not a JSON object")
        url = str(config.get("url") or "").strip()
        expect_text = config.get("expect_text") or ""
        if not isinstance(expect_text, str):
            expect_text = str(expect_text)
        warn_ms = number(config.get("warn_ms"), DEFAULT_WARN_MS, "warn_ms")
    except ValueError as e:  # json.JSONDecodeError is a ValueError
        answer("unknown", f"bad request or config: {e}")

    if not url:
        answer("unknown", "no URL configured (config.url)")
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        answer("unknown", f"{url} is not an http:// or https:// URL")

    req = urllib.request.Request(url, headers={"User-Agent": "vigil-http-json/1.0"})
    started = time.monotonic()
    http_status = None
    body = b""
    failure = None
    try:
        with urllib.request.urlopen(req, timeout=REQUEST_TIMEOUT_SECS) as resp:
            http_status = resp.status
            if expect_text:
                body = resp.read(MAX_BODY_BYTES)
    except urllib.error.HTTPError as e:  # 4xx / 5xx (after redirects)
        http_status = e.code
        failure = f"HTTP {e.code} {e.reason}"
    except urllib.error.URLError as e:  # refused, DNS, TLS, timeout while connecting
        failure = f"request failed: {e.reason}"
    except (TimeoutError, OSError) as e:  # timeout or reset while reading
        failure = f"request failed: {e}"
    except Exception as e:  # an odd URL (bad port...) must still get an answer
        failure = f"request failed: {type(e).__name__}: {e}"
    latency_ms = round((time.monotonic() - started) * 1000.0, 1)

    metric = {"label": "latency", "value": latency_ms, "unit": "ms", "warn": f"{warn_ms:g}"}
    details = {"url": url, "http_status": http_status}

    if failure is not None:
        answer("critical", f"{url}: {failure} after {latency_ms:g} ms", [metric], details)
    if expect_text:
        text = body.decode("utf-8", errors="replace")
        if expect_text not in text:
            answer(
                "critical",
                f"{url}: HTTP {http_status}, but the page does not contain {expect_text!r}",
                [metric],
                details,
            )
    if latency_ms > warn_ms:
        answer(
            "warning",
            f"{url}: HTTP {http_status} in {latency_ms:g} ms (slower than {warn_ms:g} ms)",
            [metric],
            details,
        )
    answer("ok", f"{url}: HTTP {http_status} in {latency_ms:g} ms", [metric], details)


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except BaseException as e:  # anything unforeseen is still a well-formed answer
        answer("unknown", f"the check itself failed: {type(e).__name__}: {e}")
