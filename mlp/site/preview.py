"""``mkdocs serve`` on a cold cache: the quick profile at once, the full one trained behind it.

`choose` decides what a build shows. ``mkdocs build`` (and ``gh-deploy``) always builds
the full profile, blocking; ``MLP_PROFILE`` forces a profile everywhere. ``mkdocs serve``
shows the full profile if every one of its runs is stored; otherwise it serves the quick
profile (a *preview*) and starts `mlp.experiments.background` to train the full one.
Every page of a preview carries a `notice` of how far that training got; the trainer
touches a watched folder as runs finish, so the server rebuilds, and once it is done the
next build shows the full results and no notice.

``MLP_BACKGROUND_PROFILE`` names the profile trained behind the preview (default
``full``): the serve test sets the ``tiny`` stand-in to see the whole cycle in a minute.

The state of a server (`State`) lives in this module, which stays imported for the life
of the ``mkdocs serve`` process (as does the hooks file: MkDocs loads it once, while the
plugins without a startup event, mkdocs-jupyter's among them, are new at every rebuild).
"""

from __future__ import annotations

import atexit
import html
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from mlp.experiments import background
from mlp.experiments.profiles import check

PREVIEW = "quick"


@dataclass
class State:
    command: str = "build"
    forced: str | None = None  # MLP_PROFILE as the user set it
    process: subprocess.Popen | None = None  # the background trainer
    profile: str = "full"  # the profile the current build shows
    preview: bool = False  # the current build is a preview


STATE = State()


def target() -> str:
    """The profile ``mkdocs serve`` trains behind its preview: ``MLP_BACKGROUND_PROFILE``, else ``full``."""
    return check(os.environ.get("MLP_BACKGROUND_PROFILE", "full"))


def choose(command: str, forced: str | None, stored_all: bool, full: str = "full") -> tuple[str, bool]:
    """``(profile, preview)`` of a build: the profile to build and whether it is a preview.

    Only ``serve`` previews, only without ``MLP_PROFILE``, only while some run of the
    ``full`` profile is not stored; a build never publishes a preview.
    """
    if forced:
        return check(forced), False
    if command != "serve" or stored_all:
        return full, False
    return PREVIEW, True


def start(command: str) -> None:
    """Called once per MkDocs command, before its first build."""
    STATE.command = command
    STATE.forced = os.environ.get("MLP_PROFILE") or None
    if command == "serve":
        signal.signal(signal.SIGTERM, _interrupt)  # mkdocs serve shuts down on KeyboardInterrupt
        atexit.register(stop)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def decide() -> str:
    """Decide this build's profile (`choose`), export it as ``MLP_PROFILE`` for the pages, return it."""
    full = STATE.forced or (target() if STATE.command == "serve" else "full")
    stored_all = STATE.command != "serve" or STATE.forced is not None or finished(full)
    STATE.profile, STATE.preview = choose(STATE.command, STATE.forced, stored_all, full)
    os.environ["MLP_PROFILE"] = STATE.profile  # the kernels executing the pages inherit it
    return STATE.profile


def finished(profile: str) -> bool:
    """Whether every run of ``profile`` is stored: the trainer says so, or the cache does."""
    state = background.read(profile)
    if state and state["finished"] and not state.get("failed"):
        return True
    if STATE.process is not None and STATE.process.poll() is None:
        return False  # training: its status is the news
    return background.survey(profile)["finished"]


def survey_once() -> None:
    """Before the first preview's pages: the status from the cache, for their notice."""
    if STATE.process is None:
        background.write(background.survey(target()))


def start_background() -> None:
    """Start training the full profile behind the preview, once (after the first preview is
    built, so that its pages do not wait for two cores busy training)."""
    if STATE.process is not None:
        return
    profile = target()
    STATE.process = subprocess.Popen(
        [sys.executable, "-m", "mlp.experiments.background", "--profile", profile, "--parent", str(os.getpid())],
        start_new_session=True)  # its own process group: Ctrl-C is ours to pass on, and stop() ends it all


def watch(server, shown: dict | None, delay: float = 1.0) -> None:
    """Have ``server`` rebuild on the trainer's news, and at once if some came during this build.

    MkDocs starts watching only after its first build, so a run that finished meanwhile
    would go unseen: a thread touches the watched folder once the server watches it.
    """
    background.signal_dir().mkdir(parents=True, exist_ok=True)
    server.watch(str(background.signal_dir()))

    def nudge():
        time.sleep(delay)
        if background.read(target()) != shown:
            background.touch()

    threading.Thread(target=nudge, daemon=True, name="preview-nudge").start()


def stop(timeout: float = 5.0) -> None:
    """End the background trainer and its workers (its process group), if it runs."""
    process, STATE.process = STATE.process, None
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def notice(state: dict | None, preview: str = PREVIEW) -> str:
    """The HTML notice on every page of a preview: what it shows, how far the full runs are."""
    if state is None:
        progress = "The full experiments are starting."
    elif state.get("failed"):
        progress = f"The full experiments stopped with an error: {html.escape(state['failed'])}."
    else:
        progress = (f"The full experiments ({html.escape(state['profile'])} profile) are running: "
                    f"{background.done_of_total(state)} runs done, {background.minutes(state['seconds_left'])} "
                    f"left. This page rebuilds itself as they progress.")
    return (f'<div class="admonition warning mlp-preview" id="mlp-preview"><p class="admonition-title">'
            f'Preview: {preview} profile</p><p>These figures and numbers come from the {preview} profile '
            f'(a sliver of the data). {progress}</p></div>')


def add_notice(output: str, state: dict | None) -> str:
    """``output``, a page's HTML, with the `notice` at the top of its article."""
    if STATE.command != "serve":
        raise RuntimeError("a preview is never published: only mkdocs serve shows one")
    marker = '<article class="md-content__inner md-typeset">'
    if marker not in output:
        return output
    return output.replace(marker, marker + notice(state), 1)
