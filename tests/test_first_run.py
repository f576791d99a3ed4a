"""`mkdocs serve` on an empty results folder: a preview at once, the full results by themselves.

Real servers on a private results folder, the profile trained behind the preview replaced
by the ``tiny`` stand-in (``MLP_BACKGROUND_PROFILE``) so that a cycle takes a few
minutes, not fifteen. Slow (each test starts MkDocs and executes every page): they run
when ``MLP_SERVE_TESTS=1`` and ``MLP_DATA_DIR`` is set; the first also
needs Chromium and Playwright, as tests/test_site.py does.

The first page must be served within the issue's two minutes (`FIRST_PAGE_LIMIT`), on
the 2-core machine CI runs on, quiet. On a machine that others load at the same time the
first build is slower by their share: ``MLP_FIRST_PAGE_LIMIT`` (seconds) raises the limit
there, and a run under it says so rather than claiming the two minutes.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIRST_PAGE_LIMIT = float(os.environ.get("MLP_FIRST_PAGE_LIMIT", 120))  # seconds: the two minutes
FULL_LIMIT = 300  # seconds from the first page to the stand-in's results in the browser

pytestmark = pytest.mark.skipif(os.environ.get("MLP_SERVE_TESTS") != "1",
                                reason="slow: set MLP_SERVE_TESTS=1 to run real mkdocs servers")


def free_port() -> int:
    """A free port below the system's ephemeral range. The server binds it only after its first
    build, a minute later; meanwhile the Jupyter kernels executing the pages bind ports the
    system hands out from that range, and once one took the port chosen for the server."""
    ephemeral = Path("/proc/sys/net/ipv4/ip_local_port_range")
    low = int(ephemeral.read_text().split()[0]) if ephemeral.exists() else 32768
    for port in random.Random().sample(range(10_000, low), 100):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port below the ephemeral range")


def serve(results: Path, log: Path, target: str = "tiny"):
    """``mkdocs serve`` on ``results``, training ``target`` behind the preview; (process, url)."""
    port = free_port()
    env = {**os.environ, "MLP_RESULTS_DIR": str(results), "MLP_BACKGROUND_PROFILE": target,
           "PYTHONPATH": str(ROOT)}
    env.pop("MLP_PROFILE", None)
    process = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
                               cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT,
                               preexec_fn=as_in_a_terminal)
    return process, f"http://127.0.0.1:{port}/"


def as_in_a_terminal() -> None:
    """SIGINT as a server started at a terminal has it. A job a script starts in the background
    inherits SIGINT ignored, and Python then never turns it into KeyboardInterrupt, so the
    tests' Ctrl-C would go unheard wherever the test run itself was started that way."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_until(condition, limit: float, what: str, every: float = 0.5):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(every)
    pytest.fail(f"not within {limit:.0f} s: {what}")


def up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def processes_of(results: Path) -> list[int]:
    """Every process whose environment names ``results``: servers, kernels, trainers, workers."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and f"MLP_RESULTS_DIR={results}".encode() in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            pass
    return found


def status(results: Path, profile: str = "tiny") -> dict | None:
    import json

    try:
        return json.loads((results / ".background" / f"{profile}.json").read_text())
    except (OSError, ValueError):
        return None


# The notice and the tagged numbers read from results (not derived) of the document the page
# holds, in one evaluation, once that document is complete; null while it loads. Read in
# two steps, a livereload could navigate between them: the notice looked for in the new
# document's empty beginning, the numbers found once it had parsed on, a preview's numbers
# passed for the full results'.
SNAPSHOT = """() => {
  if (document.readyState !== "complete") return null;
  const notice = document.getElementById("mlp-preview");
  return {
    notice: notice === null ? null : {visible: notice.checkVisibility(), text: notice.innerText},
    numbers: [...document.querySelectorAll("span.mlp-number:not([data-value])")]
      .map(e => [e.dataset.key, e.dataset.format, e.textContent]),
  };
}"""


def snapshot(page) -> dict | None:
    """`SNAPSHOT` of ``page``; ``None`` while it loads or if a livereload navigated under the read."""
    from playwright.sync_api import Error

    try:
        return page.evaluate(SNAPSHOT)
    except Error:  # the page reloaded under the read: the server rebuilt it
        return None


def numbers_of(shot: dict) -> dict:
    """``{key: (format, text)}`` of a snapshot's numbers."""
    return {key: (fmt, text) for key, fmt, text in shot["numbers"]}


def preview_shown(shot: dict | None) -> tuple[str, dict] | None:
    """``(notice text, numbers)`` of a preview page, ``None`` if it shows no notice or no number."""
    if shot and shot["notice"] and shot["notice"]["visible"] and shot["numbers"]:
        return shot["notice"]["text"], numbers_of(shot)
    return None


def full_shown(shot: dict | None) -> dict | None:
    """The numbers of a page without the notice, ``None`` while the notice is there or no number is."""
    if shot and shot["notice"] is None and shot["numbers"]:
        return numbers_of(shot)
    return None


def expected(key: str, fmt: str, profile: str, results: Path, monkeypatch) -> str:
    from mlp import experiments
    from mlp.site.page import FORMATS

    monkeypatch.setenv("MLP_RESULTS_DIR", str(results))
    name, *path = key.split(".")
    value = experiments.run([name], profile, progress=False)[name]
    for part in path:
        value = value[int(part) if isinstance(value, list) else part]
    return FORMATS[fmt](value)


@pytest.fixture
def results(tmp_path):
    folder = tmp_path / "results"
    yield folder
    for pid in processes_of(folder):  # a failed test leaves nothing behind either
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def test_preview_then_full_results_without_a_reload(needs_data, results, tmp_path, monkeypatch):
    playwright_api = pytest.importorskip("playwright.sync_api")
    chromium = os.environ.get("MLP_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "no Chromium found: install it or set MLP_CHROMIUM"
    started = time.monotonic()
    server, url = serve(results, tmp_path / "serve.log")
    try:
        wait_until(lambda: up(url), FIRST_PAGE_LIMIT, "the first page")
        first_page = time.monotonic() - started
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page()
            page.goto(url)  # the only navigation the test asks for: the server's livereload does the rest
            notice, before = wait_until(lambda: preview_shown(snapshot(page)), 60, "the preview's notice and numbers")
            assert "quick profile" in notice and "runs done" in notice
            after = wait_until(lambda: full_shown(snapshot(page)), FULL_LIMIT, "the notice gone, the numbers shown")
            browser.close()
        assert set(after) == set(before)
        for key, (fmt, text) in after.items():
            assert text == expected(key, fmt, "tiny", results, monkeypatch), key
        assert any(after[key] != before[key] for key in before), "no number changed to the stand-in's"
        for key, (fmt, text) in before.items():
            assert text == expected(key, fmt, "quick", results, monkeypatch), key
        print(f"first page after {first_page:.0f} s (limit {FIRST_PAGE_LIMIT:.0f} s), stand-in results after {time.monotonic() - started:.0f} s")
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(60)


def test_stopping_ends_the_training_and_a_restart_trains_only_what_is_missing(needs_data, results, tmp_path,
                                                                              monkeypatch):
    from mlp import cache

    log = tmp_path / "serve.log"
    server, url = serve(results, log)
    wait_until(lambda: (s := status(results)) and 0 < s["done"] and not s["finished"] and s.get("running"),
               FIRST_PAGE_LIMIT + 60, "a background run finished, others training", every=0.1)
    server.send_signal(signal.SIGINT)  # Ctrl-C
    server.wait(60)
    wait_until(lambda: not processes_of(results), 10, f"no process left: {processes_of(results)}")
    monkeypatch.setenv("MLP_RESULTS_DIR", str(results))
    entries = sorted(results.glob("*.npz"))
    runs_before = len(list(results.glob("run-*.npz")))  # the build stores other results too
    assert all(cache.load(path) is not None for path in entries)  # none partial
    from mlp.experiments import background

    stored = background.survey("tiny")
    assert not stored["finished"] and stored["done"] > 0
    kept = {path: path.stat().st_mtime_ns for path in entries}

    server, url = serve(results, log)
    try:
        state = wait_until(lambda: (s := status(results)) and s["finished"] and s, FIRST_PAGE_LIMIT + 60,
                           "the restarted training finished")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    wait_until(lambda: not processes_of(results), 10, f"no process left: {processes_of(results)}")
    assert {path: path.stat().st_mtime_ns for path in kept} == kept  # nothing stored was trained again
    trained_again = len(list(results.glob("run-*.npz"))) - runs_before
    assert trained_again == state["total"] - stored["done"]
