"""MkDocs hooks: run the experiments before the pages, serve KaTeX offline, key page caches.

- Before any page is built, every experiment of the profile is run through the results
  cache, so the executed pages only read results, and an unchanged rebuild trains
  nothing. The profile is `mlp.site.preview`'s choice: ``MLP_PROFILE`` if set, else
  ``full`` for a build; ``mkdocs serve`` on a cold cache serves the ``quick`` profile with
  a notice on every page while the full one trains in the background, and rebuilds as it
  progresses. The experiments command records its timings, and each page's build time is
  added (`mlp.experiments.timings`): the Performance page shows them.
- Math is typeset by KaTeX, pinned below and installed from the npm registry into
  ``.cache/katex`` on first use, then copied into the site: no CDN is ever asked.
- mkdocs-jupyter caches executed pages by their own text only; its cache folder is
  keyed here on the package source, the README, the profile and the results the build
  read, so a change to any of them re-executes the pages instead of serving stale ones.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import sys
import time
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

from mlp.experiments import background, timings
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
    prefix = Path(config["config_file_path"]).parent / ".cache" / "katex"
    package = prefix / "node_modules" / "katex"
    installed = package / "package.json"
    if not installed.is_file() or json.loads(installed.read_text())["version"] != KATEX_VERSION:
        npm = shutil.which("npm")
        if npm is None:
            raise PluginError(f"KaTeX {KATEX_VERSION} is needed to typeset the math offline: install Node.js "
                              f"and npm, or run: npm install --prefix {prefix} katex@{KATEX_VERSION}")
        log.info("installing KaTeX %s into %s", KATEX_VERSION, prefix)
        subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
                        f"katex@{KATEX_VERSION}"], check=True, stdout=subprocess.DEVNULL)
    return package / "dist"


def page_key(config, results: str) -> str:
    """A hash of everything an executed page's output depends on besides its own text."""
    root = Path(config["config_file_path"]).parent
    digest = hashlib.sha256(f"{profile()}\0{results}".encode())
    for path in sorted((root / "mlp").rglob("*.py")) + [root / "README.md"]:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def on_startup(command, dirty):
    preview.start(command)


def on_config(config):
    check(profile())
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
    record = timings.path(chosen)
    subprocess.run([sys.executable, "-m", "mlp", "experiments", "--profile", chosen, "--record", str(record)],
                   check=True)
    if preview.STATE.preview:
        preview.survey_once()
    if notice := cache.old_format_notice():
        log.info(notice)  # not a warning: a strict build on an old results folder still succeeds
    jupyter = config["plugins"]["mkdocs-jupyter"].config
    jupyter["cache_dir"] = str(Path(config["config_file_path"]).parent / ".cache" / "mkdocs-jupyter"
                               / page_key(config, timings.read(record)["fingerprint"]))
    PAGES.clear()
    PAGES["status"] = background.read(preview.target()) if preview.STATE.preview else None


PAGES = {}  # this build: page -> seconds from on_pre_page to on_page_content (its execution); "status"


def on_pre_page(page, config, files):
    PAGES[page.file.src_uri] = time.perf_counter()
    return page


def on_page_content(html, page, config, files):
    PAGES[page.file.src_uri] = time.perf_counter() - PAGES[page.file.src_uri]
    return offer_notebook(html, page, config)


def on_post_page(output, page, config):
    return preview.add_notice(output, PAGES["status"]) if preview.STATE.preview else output


def on_post_build(config):
    write_notebooks(config)
    record = timings.path(profile())
    pages = {name: seconds for name, seconds in PAGES.items() if name != "status"}
    timings.write(record, {**timings.read(record), "pages": pages})
    if preview.STATE.preview:
        preview.start_background()


def on_serve(server, config, builder):
    if preview.STATE.preview:
        preview.watch(server, PAGES["status"])
    return server


def on_shutdown():
    preview.stop()


def on_files(files, config):
    dist = katex_dir(config)
    for path in [*(dist / name for name in KATEX_ASSETS), *sorted((dist / "fonts").glob("*.woff2"))]:
        files.append(File.generated(config, f"assets/katex/{path.relative_to(dist).as_posix()}",
                                    abs_src_path=str(path)))
    files.append(File.generated(config, "assets/katex-init.js", content=KATEX_INIT))
    return files


# --- "Download notebook": each executed page as an .ipynb with its outputs ---------------

NOTEBOOK_INTRO = """\
This notebook is the page `{source}` of the `mlp` site, as the build executed it (experiments
profile `{profile}`). It runs top to bottom in Jupyter with the package installed
(`pip install -e '.[docs]'` in the project). It reads the experiments' results from the
results cache (`MLP_RESULTS_DIR`) and trains those that are missing there: set
`MLP_PROFILE=quick` before starting Jupyter to train on slivers in a minute or two."""
NOTEBOOK_LINK = ('<p class="mlp-download"><a href="{name}" download>Download notebook</a> '
                 '(this page with its outputs, to run in Jupyter)</p>')
_notebooks: dict = {}  # source page -> where its notebook goes in the site


def offer_notebook(html, page, config):
    """Offer each executed page's notebook, under the page's title."""
    if not config["plugins"]["mkdocs-jupyter"].should_include(page.file):
        return html
    source = Path(page.file.abs_src_path)
    name = source.stem + ".ipynb"
    _notebooks[source] = Path(page.file.abs_dest_path).parent / name
    link = NOTEBOOK_LINK.format(name=name)
    head = html.find("</h1>")
    return html[:head + 5] + link + html[head + 5:] if head >= 0 else link + html


def notebook(source: Path, config) -> "nbformat.NotebookNode":
    """The page ``source`` as a notebook executed top to bottom, as the pages are (same kernel, folder)."""
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    root = Path(config["config_file_path"]).parent
    jupyter = config["plugins"]["mkdocs-jupyter"].config
    nb = jupytext.read(source)
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"name": jupyter["kernel_name"], "display_name": "Python 3", "language": "python"}
    intro = NOTEBOOK_INTRO.format(source=source.relative_to(root).as_posix(), profile=profile())
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(intro))
    nb = nbformat.reads(nbformat.writes(nb), as_version=nbformat.NO_CONVERT)
    NotebookClient(nb, kernel_name=jupyter["kernel_name"], timeout=1800, allow_errors=False,
                   resources={"metadata": {"path": str(root)}}).execute()
    nbformat.validate(nb)
    return nb


def write_notebooks(config):
    """Write each executed page's notebook beside the page, executed once per cache key."""
    import nbformat
    from concurrent.futures import ThreadPoolExecutor

    folder = Path(config["plugins"]["mkdocs-jupyter"].config["cache_dir"]) / "notebooks"
    folder.mkdir(parents=True, exist_ok=True)
    jobs = {source: folder / f"{hashlib.sha256(source.read_bytes()).hexdigest()[:16]}-{source.stem}.ipynb"
            for source in _notebooks}

    def make(source):
        cached = jobs[source]
        if not cached.is_file():
            log.info("executing %s as a notebook", source.name)
            nbformat.write(notebook(source, config), str(cached) + ".partial")
            Path(str(cached) + ".partial").replace(cached)
        target = _notebooks[source]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, target)

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(make, sorted(jobs)))
    for stale in set(folder.glob("*.ipynb")) - set(jobs.values()):
        stale.unlink()
    _notebooks.clear()  # a rebuild under `mkdocs serve` lists its pages anew
