"""MkDocs hooks: run the experiments before the pages, serve KaTeX offline, key page caches.

- Before any page is built, every experiment of the profile is run through the results
  cache, so the executed pages only read results, and an unchanged rebuild trains
  nothing. The profile is `mlp.site.preview`'s choice: ``MLP_PROFILE`` if set, else
  ``full`` for a build; ``mkdocs serve`` on a cold cache serves the ``quick`` profile with
  a notice on every page while the full one trains in the background, and rebuilds as it
  progresses. The experiments command records its timings, and each page's execution
  time is added (`mlp.experiments.build_times`): the Performance page shows them.
- Each executed page (``docs/*.py``) is executed once, several at a time (as many as the
  cores and memory allow, at most ``MLP_JOBS``: `mlp.jobs`), before the pages are
  rendered (`mlp.site.notebooks`); mkdocs-jupyter renders the executed notebook without
  executing it, and the same notebook is the page's download. Executed notebooks are kept
  under a key of the page's text and `page_key` (the code the pages import, the files
  they show, the profile and the results the build read), so a change to any of them
  re-executes the page instead of serving a stale one, and an unchanged rebuild (or an
  edited comment in a module no page shows) executes nothing.
- Math is typeset by KaTeX, pinned below and installed from the npm registry into
  ``.cache/katex`` on first use, then copied into the site: no CDN is ever asked.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path, PurePosixPath

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from mlp import jobs, staleness
from mlp.experiments import background, build_times
from mlp.experiments.profiles import check, from_environment as profile
from mlp.site import preview

KATEX_VERSION = "0.16.25"
KATEX_ASSETS = ("katex.min.js", "katex.min.css", "contrib/auto-render.min.js")
KATEX_INIT = """\
// Typeset \\( \\) and \\[ \\] (Markdown pages) and $ $, $$ $$ (executed pages).
function typeset() {
  renderMathInElement(document.body, {
    delimiters: [
      {left: "$$", right: "$$", display: true},
      {left: "\\\\[", right: "\\\\]", display: true},
      {left: "$", right: "$", display: false},
      {left: "\\\\(", right: "\\\\)", display: false},
    ],
    throwOnError: false,
  });
  document.body.setAttribute("data-mlp-typeset", "");  // done: a test waits for this mark
}
if (typeof document$ !== "undefined") { document$.subscribe(typeset); }
else { document.addEventListener("DOMContentLoaded", typeset); }
"""

log = logging.getLogger("mkdocs.hooks.mlp")


def katex_dir(config) -> Path:
    """KaTeX's ``dist`` folder, installed at the pinned version if it is not there."""
    return npm_package(Path(config["config_file_path"]).parent / ".cache" / "katex", "katex", KATEX_VERSION) / "dist"


def npm_package(prefix: Path, name: str, version: str) -> Path:
    """The folder of the npm package ``name`` at ``version`` under ``prefix``, installed from
    the npm registry if it is not there (KaTeX for the build; axe-core for the tests)."""
    package = prefix / "node_modules" / name
    installed = package / "package.json"
    if not installed.is_file() or json.loads(installed.read_text())["version"] != version:
        npm = shutil.which("npm")
        if npm is None:
            raise PluginError(f"{name} {version} is needed: install Node.js and npm, "
                              f"or run: npm install --prefix {prefix} {name}@{version}")
        log.info("installing %s %s into %s", name, version, prefix)
        subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", f"{name}@{version}"],
                       check=True, stdout=subprocess.DEVNULL)
    return package


def page_key(config, results: str) -> str:
    """A hash of everything an executed page's output depends on besides its own text: the
    profile, the ``results`` it reads (their fingerprint), the code of the modules the pages
    import and the text of the files they show (`mlp.staleness.code_hash`)."""
    from mlp.site.page import SHOWN

    root = Path(config["config_file_path"]).parent
    pages = sorted(path.relative_to(root).as_posix() for path in Path(config["docs_dir"]).glob("*.py"))
    code = staleness.code_hash(pages, root, shown=SHOWN)
    return hashlib.sha256(f"{profile()}\0{results}\0{code}".encode()).hexdigest()[:16]


def on_startup(command, dirty):
    preview.start(command)


def on_config(config):
    check(profile())
    try:
        jobs.limit()  # MLP_JOBS, checked before anything runs
    except ValueError as error:
        raise PluginError(str(error)) from None
    config["extra_css"].insert(0, "assets/katex/katex.min.css")
    config["extra_javascript"].extend(["assets/katex/katex.min.js", "assets/katex/contrib/auto-render.min.js",
                                       "assets/katex-init.js"])
    return config


def on_pre_build(config):
    from mlp import cache

    chosen = preview.decide()
    # In a fresh process: under `mkdocs serve` this one keeps the package as it was first
    # imported, and would train with old code under the new code's cache keys.
    log.info("running the experiments (profile %s%s; cached results are reused)", chosen,
             ", a preview while the full profile trains" if preview.STATE.preview else "")
    record = build_times.path(chosen)
    subprocess.run([sys.executable, "-m", "mlp", "experiments", "--profile", chosen, "--record", str(record)],
                   check=True)
    if preview.STATE.preview:
        preview.survey_once()
    if notice := cache.old_format_notice():
        log.info(notice)  # not a warning: a strict build on an old results folder still succeeds
    jupyter = config["plugins"]["mkdocs-jupyter"].config
    jupyter["cache_dir"] = str(Path(config["config_file_path"]).parent / ".cache" / "mkdocs-jupyter"
                               / page_key(config, build_times.read(record)["fingerprint"]))
    BUILD.clear()
    BUILD["status"] = background.read(preview.target()) if preview.STATE.preview else None


BUILD = {}  # this build: "status", the background training's (in a preview)


def on_page_content(html, page, config, files):
    return offer_notebook(fold_checks(EMPTY_HEADER.sub(r"<td\1></td>", STRAY_CSS.sub("", html))), page, config)


def on_page_markdown(markdown, page, config, files):
    from mlp.site import quiz

    return quiz.replace_markers(markdown)


def on_post_page(output, page, config):
    output = add_widget_scripts(output.replace(SEARCH_DIALOG, SEARCH_DIALOG + ' aria-label="Search"', 1), page)
    return preview.add_notice(output, BUILD["status"]) if preview.STATE.preview else output


# Accessibility (tests/test_accessibility.py): Material's search dialog gets a name, and a
# table's empty corner header cell (a computed table's row labels have no title) becomes a
# plain cell, so that no header is announced empty.
SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog"'
EMPTY_HEADER = re.compile(r"<th(\s[^>]*)?>\s*</th>")

# The scripts of the pages' widgets, each loaded by the pages that show its widget: the class
# of the widget's outermost element -> its scripts, in order.
WIDGET_SCRIPTS = {"mlp-quiz": ("assets/quiz.js",), "mlp-nudge": ("assets/network.js", "assets/nudge.js")}


def add_widget_scripts(output: str, page) -> str:
    """The page with the scripts of the widgets it shows, before ``</body>``."""
    from mkdocs.utils import get_relative_url

    scripts = [src for widget, sources in WIDGET_SCRIPTS.items() if f'class="{widget} ' in output
               or f'class="{widget}"' in output for src in sources]
    tags = "".join(f'<script src="{get_relative_url(src, page.url)}"></script>' for src in scripts)
    return output.replace("</body>", tags + "</body>", 1) if tags else output


def on_post_build(config):
    if preview.STATE.preview:
        preview.start_background()


def on_serve(server, config, builder):
    if preview.STATE.preview:
        preview.watch(server, BUILD["status"])
    return server


def on_shutdown():
    preview.stop()


def on_files(files, config):
    dist = katex_dir(config)
    for path in [*(dist / name for name in KATEX_ASSETS), *sorted((dist / "fonts").glob("*.woff2"))]:
        files.append(File.generated(config, f"assets/katex/{path.relative_to(dist).as_posix()}",
                                    abs_src_path=str(path)))
    files.append(File.generated(config, "assets/katex-init.js", content=KATEX_INIT))
    execute_pages(files, config)
    return files


# --- the executed pages: each executed once, rendered and offered as a notebook ---------

READS_PAGE_TIMES = ("performance.py",)  # executed after the others, whose times it shows
NOTEBOOK_LINK = ('<p class="mlp-download"><a href="{name}" download>Download notebook</a> '
                 '(this page with its outputs, to run in Jupyter)</p>')
DOWNLOADS: dict = {}  # page's src_uri -> its notebook's file name, beside the page
# mkdocs-jupyter appends to a page converted from an .ipynb its highlighting CSS a second
# time, printed as a Python list (its template has already put it in the page).
STRAY_CSS = re.compile(r"\s*<style>\s*\[['\"].*?['\"]\]\s*</style>\s*\Z", re.DOTALL)


def execute_pages(files, config) -> None:
    """Execute every page mkdocs-jupyter includes (`mlp.site.notebooks`), once per key; point
    its file at the executed notebook, which mkdocs-jupyter then only converts; add that
    notebook beside the page as its download; record each page's execution seconds, its kernel's
    start among them, and the wall time of them all."""
    from mlp.site import notebooks

    jupyter = config["plugins"]["mkdocs-jupyter"]
    root = Path(config["config_file_path"]).parent
    kernel = jupyter.config["kernel_name"]
    into = Path(jupyter.config["cache_dir"]) / "notebooks"
    key = Path(jupyter.config["cache_dir"]).name  # page_key(config, the results' fingerprint)
    if jupyter.config["remove_tag_config"].get("remove_cell_tags", [None])[0] != notebooks.INTRO_TAG:
        raise PluginError(f"mkdocs.yml: mkdocs-jupyter's remove_tag_config must begin remove_cell_tags "
                          f"with {notebooks.INTRO_TAG!r}, or each page shows its notebook's intro")
    pages = {file.src_uri: file for file in files.documentation_pages()
             if file.abs_src_path.endswith(".py") and jupyter.should_include(file)}

    def run(file, env):
        source = Path(file.abs_src_path)
        return notebooks.stored(source, into, notebooks.intro(source, root, profile()), kernel, key, root, env)

    record = build_times.path(profile())
    done, start, most = {}, time.perf_counter(), 1
    try:
        # The longest pages first (their source's length is a fair guess), so that the ones
        # running at once finish together rather than one waiting alone for a long one.
        longest_first = sorted(pages, key=lambda uri: -Path(pages[uri].abs_src_path).stat().st_size)
        for batch in ([uri for uri in longest_first if uri not in READS_PAGE_TIMES],
                      [uri for uri in longest_first if uri in READS_PAGE_TIMES]):
            at_once = notebooks.at_once(len(batch))
            most = max(most, at_once)
            done.update(notebooks.execute_all({uri: pages[uri] for uri in batch}, run, at_once))
            build_times.write(record, {**(build_times.read(record) or {}),  # 0 s: stored, not executed
                                   "pages": {uri: seconds or 0.0 for uri, (_, seconds, _) in done.items()},
                                   "kernels": {uri: kernel or 0.0 for uri, (_, _, kernel) in done.items()},
                                   "pages_wall_seconds": time.perf_counter() - start,
                                   "pages_at_once": most})
    except notebooks.PageFailed as error:
        raise PluginError(str(error)) from None
    DOWNLOADS.clear()
    for uri, (path, _, _) in done.items():
        file = pages[uri]
        name = Path(file.abs_src_path).stem + ".ipynb"
        file.abs_src_path = str(path)  # what mkdocs-jupyter reads, includes and converts
        files.append(File.generated(config, (PurePosixPath(file.dest_path).parent / name).as_posix(),
                                    abs_src_path=str(path)))
        DOWNLOADS[uri] = name
    for stale in set(into.glob("*.ipynb")) - {path for path, _, _ in done.values()}:
        stale.unlink()


# A page's cells tagged with one of these are folded away under its summary (`fold_checks`).
FOLDS = {"check": "How we know this is right",
         "overflow": "Computing σ, the softmax and the loss without overflow"}
_CELL = re.compile(r'<div\b[^>]*class="jp-Cell[ "]')
_DIV = re.compile(r"<div\b|</div>")


def _cell_span(html: str, inside: int) -> tuple[int, int]:
    """The start and end of the notebook cell's ``<div>`` that holds position ``inside``."""
    start = max(m.start() for m in _CELL.finditer(html, 0, inside + len('class="jp-Cell ')))
    depth = 0
    for m in _DIV.finditer(html, start):
        depth += 1 if m.group() == "<div" else -1
        if depth == 0:
            return start, m.end()
    raise ValueError("an unclosed notebook cell")


def fold_checks(html: str, folds=FOLDS) -> str:
    """Fold each run of cells tagged with a key of ``folds`` into one closed ``<details>`` under its summary.

    A page's checks (SymPy's, the asserts that fail the build) stay on the page and run;
    the reader opens them when they want them. Cells of one run may be Markdown or code,
    and follow one another with nothing else between them.
    """
    spans = []  # (start, end, tag)
    tags = "|".join(map(re.escape, folds))
    for m in re.finditer(rf'class="[^"]*\bcelltag_({tags})\b', html):
        start, end = _cell_span(html, m.start())
        if spans and start < spans[-1][1]:  # inside a cell already folded (a code cell's inner div)
            continue
        if spans and spans[-1][2] == m.group(1) and html[spans[-1][1]:start].strip() == "":
            spans[-1] = (spans[-1][0], end, m.group(1))
        else:
            spans.append((start, end, m.group(1)))
    for start, end, tag in reversed(spans):
        html = (html[:start] + f'<details class="mlp-fold mlp-{tag} note"><summary>{folds[tag]}</summary>'
                + html[start:end] + "</details>" + html[end:])
    return html


def offer_notebook(html, page, config):
    """Offer each executed page's notebook, under the page's title."""
    name = DOWNLOADS.get(page.file.src_uri)
    if name is None:
        return html
    link = NOTEBOOK_LINK.format(name=name)
    head = html.find("</h1>")
    return html[:head + 5] + link + html[head + 5:] if head >= 0 else link + html
