"""The external link check, proven offline against a local HTTP server.

A ``ThreadingHTTPServer`` on 127.0.0.1 (ephemeral port, in a thread) serves a
page with an anchor, a 404, two redirects (one allowed, one not), a page
without the linked anchor, a response slower than ``linkcheck_timeout`` and a
429 with ``Retry-After``. The ``test-linkcheck-server`` project links to each;
it is built with Sphinx's ``linkcheck`` builder using the handbook's own
``linkcheck_*`` settings from ``conf.py`` (only the timeout is shortened and a
test redirect allowed), and each link's status is read from ``output.json``.
Proxies from the environment are cleared: no request leaves the machine.
"""

from __future__ import annotations

import json
import runpy
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from sphinx.testing.util import SphinxTestApp
from sphinx.util.console import strip_colors

from conftest import REPO_ROOT
from handbook.__main__ import main
from handbook.links.linkreport import failures, read_results, summary

TIMEOUT = 2.0  # linkcheck_timeout for the test (local answers take milliseconds); /slow.html answers after 3 x TIMEOUT

PAGE = b"<!DOCTYPE html><html><body><h1>Guide</h1><h2 id='dosing'>Dosing</h2></body></html>"
NO_ANCHOR = b"<!DOCTYPE html><html><body><h1>Guide</h1><h2 id='other'>Other</h2></body></html>"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path
        with self.server.lock:
            self.server.requests.append((self.command, path))
            hits = sum(1 for _, p in self.server.requests if p == path)
        try:
            if path in {"/ok.html", "/moved.html"}:
                self._send(200, PAGE)
            elif path == "/no-anchor.html":
                self._send(200, NO_ANCHOR)
            elif path == "/redirect-allowed":
                self._send(302, headers={"Location": "/ok.html"})
            elif path == "/redirect-other":
                self._send(301, headers={"Location": "/moved.html"})
            elif path == "/slow.html":
                time.sleep(3 * TIMEOUT)
                self._send(200, PAGE)
            elif path == "/rate-limited.html" and hits == 1:
                self._send(429, headers={"Retry-After": "1"})
            elif path == "/rate-limited.html":
                self._send(200, PAGE)
            else:
                self._send(404, b"<html><body>Not found</body></html>")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the slow page): nothing to answer

    do_HEAD = do_GET

    def log_message(self, format, *args) -> None:  # noqa: A002 (http.server's signature)
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # do not wait for /slow.html's sleeping thread

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.requests: list[tuple[str, str]] = []


@pytest.fixture(scope="module")
def http_server():
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def no_proxy():
    """Sphinx's linkcheck uses requests, which honours *_proxy variables."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy"):
            monkeypatch.delenv(name, raising=False)
            monkeypatch.delenv(name.upper(), raising=False)
        monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
        monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
        yield


def handbook_linkcheck_settings() -> dict:
    """The ``linkcheck_*`` settings of the handbook's real ``conf.py``."""
    namespace = runpy.run_path(str(REPO_ROOT / "conf.py"))
    return {name: value for name, value in namespace.items() if name.startswith("linkcheck_")}


def test_handbook_configures_linkcheck_for_real_use():
    settings = handbook_linkcheck_settings()
    assert settings["linkcheck_anchors"] is True
    assert settings["linkcheck_report_timeouts_as_broken"] is True
    assert settings["linkcheck_retries"] >= 2
    assert 0 < settings["linkcheck_timeout"] <= 60
    assert settings["linkcheck_rate_limit_timeout"] > 0
    redirects = settings["linkcheck_allowed_redirects"]
    assert redirects and all(target.startswith("https://") for target in redirects.values())


@pytest.fixture(scope="module")
def linkcheck_build(tmp_path_factory, rootdir, http_server, no_proxy):
    """The ``test-linkcheck-server`` project, linked to the test server and checked once."""
    tmp_path = tmp_path_factory.mktemp("linkcheck")
    base = f"http://127.0.0.1:{http_server.server_address[1]}"
    srcdir = tmp_path / "src"
    shutil.copytree(rootdir / "test-linkcheck-server", srcdir)
    index = srcdir / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("SERVER/", f"{base}/"), encoding="utf-8")

    settings = handbook_linkcheck_settings()
    settings["linkcheck_timeout"] = TIMEOUT
    settings["linkcheck_allowed_redirects"] = {
        **settings["linkcheck_allowed_redirects"],
        # The test's one allowed redirect.
        r"http://127\.0\.0\.1:\d+/redirect-allowed$": r"http://127\.0\.0\.1:\d+/ok\.html$",
    }
    warning = StringIO()
    app = SphinxTestApp("linkcheck", srcdir=srcdir, builddir=tmp_path / "_build",
                        confoverrides=settings, status=StringIO(), warning=warning)
    try:
        app.build()
    finally:
        app.cleanup()
    results = {r["uri"].removeprefix(base): r for r in read_results(app.outdir / "output.json")}
    return results, strip_colors(warning.getvalue()), app, http_server, base


def test_each_link_is_classified(linkcheck_build):
    results, warnings, app, server, base = linkcheck_build
    status = {uri: (r["status"], r["code"]) for uri, r in results.items()}
    assert status == {
        "/ok.html#dosing": ("working", 0),
        "/ok.html": ("working", 0),
        "/missing.html": ("broken", 0),
        "/redirect-allowed": ("working", 0),
        "/redirect-other": ("redirected", 301),
        "/no-anchor.html#dosing": ("broken", 0),
        "/slow.html": ("broken", 0),  # a timeout, reported as broken
        "/rate-limited.html": ("working", 0),
        "mailto:clinic@example.org": ("unchecked", 0),
    }
    assert results["/missing.html"]["info"].startswith("404 Client Error: Not Found")
    assert results["/no-anchor.html#dosing"]["info"] == "Anchor 'dosing' not found"
    assert "Read timed out" in results["/slow.html"]["info"]
    assert results["/redirect-other"]["info"] == f"{base}/moved.html"
    # Where each link is: file and line of the Markdown source.
    assert (results["/missing.html"]["filename"], results["/missing.html"]["lineno"]) == ("index.md", 8)
    # The 429 was honoured (Retry-After), then the page was asked for again.
    assert [p for _, p in server.requests].count("/rate-limited.html") == 2
    # A redirect nobody allowed is a warning, which fails the strict build.
    assert f"index.md:10: WARNING: redirect  {base}/redirect-other - permanently to {base}/moved.html" in warnings
    assert app.statuscode == 1  # broken links fail the build


def test_linkreport_summarises_and_fails_naming_file_line_and_url(linkcheck_build, capsys):
    _results, _warnings, app, _server, base = linkcheck_build
    status = main(["linkreport", str(app.outdir / "output.json")])
    lines = capsys.readouterr().out.splitlines()
    assert status == 1
    assert lines[:4] == [
        f"index.md:8: broken {base}/missing.html (404 Client Error: Not Found for url: {base}/missing.html)",
        f"index.md:10: redirected {base}/redirect-other (301 to {base}/moved.html)",
        f"index.md:11: broken {base}/no-anchor.html#dosing (Anchor 'dosing' not found)",
        lines[3],
    ]
    assert lines[3].startswith(f"index.md:12: broken {base}/slow.html (") and "Read timed out" in lines[3]
    assert lines[4:] == [
        "linkreport: 9 external links: broken 3, redirected 1, unchecked 1, working 4",
        "linkreport: 4 failing external links",
    ]


def test_linkreport_passes_when_nothing_fails(tmp_path, capsys):
    output = tmp_path / "output.json"
    output.write_text(
        json.dumps({"filename": "index.md", "lineno": 3, "status": "working", "code": 0, "uri": "https://example.org/", "info": ""}) + "\n"
        + json.dumps({"filename": "index.md", "lineno": 5, "status": "ignored", "code": 0, "uri": "https://example.com/", "info": ""}) + "\n",
        encoding="utf-8",
    )
    assert main(["linkreport", str(output)]) == 0
    assert capsys.readouterr().out.splitlines() == ["linkreport: 2 external links: ignored 1, working 1"]
    results = read_results(output)
    assert failures(results) == [] and summary(results).endswith("ignored 1, working 1")


def test_linkreport_without_output_is_a_usage_error(tmp_path, capsys):
    assert main(["linkreport", str(tmp_path / "output.json")]) == 2
    assert "not found; run 'make linkcheck'" in capsys.readouterr().err


@pytest.mark.sphinx("html", testroot="linkcheck-http")
def test_http_links_warn_at_their_line(app):
    app.build()
    warnings = strip_colors(app.warning.getvalue()).replace(str(app.srcdir) + "/", "")
    assert warnings.splitlines() == [
        "index.md:3: WARNING: insecure link: use https:// instead of http:// (http://example.org/guide) [handbook.insecure-link]",
        "index.md:5: WARNING: insecure link: use https:// instead of http:// (http://example.org/raw) [handbook.insecure-link]",
        "index.md:7: WARNING: insecure link: use https:// instead of http:// (http://example.org/chart.png) [handbook.insecure-link]",
    ]
