"""Checks of a built documentation site: its links, its numbers, and what a browser shows.

These tests read the site that ``mkdocs build --strict`` wrote into the folder named by
``MLP_SITE_DIR`` (CI sets it after building; unset, the tests are skipped). Once it is
set, a missing site, browser or Playwright is a failure, not a skip.

- Links: every ``href``/``src`` of every page (and every ``url()`` of the site's CSS) that
  points inside the site names a file that exists, and a ``#fragment`` names an ``id`` of
  its target page. MkDocs checks the links of Markdown pages only; the executed pages'
  links are checked here. Nothing is fetched from another host: a page that *loads* an
  external resource fails; external links to follow are only listed.
- Numbers: every ``<span class="mlp-number">`` shows exactly what :mod:`mlp.site.page`
  formats from the results cache the build used (``MLP_RESULTS_DIR``, ``MLP_PROFILE``).
- Browser: headless Chromium (``MLP_CHROMIUM``, default ``chromium`` on the ``PATH``),
  driven by Playwright, loads every page from a server on 127.0.0.1 and checks that the
  math was typeset, images loaded, every figure has a text alternative, no request left
  the machine, no Python error or warning shows, and the console logged no error.
  Screenshots of the pages in `SCREENSHOTS`, in the light and the dark scheme, go to
  ``MLP_ARTIFACTS_DIR`` (default ``artifacts/`` in the project).
- Notebooks: every executed page links to its notebook, which is valid, holds the page's
  code with its outputs, and (the scalar page's) runs again in a fresh kernel.
"""

from __future__ import annotations

import functools
import html.parser
import os
import posixpath
import re
import shutil
import threading
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Pages that quote computed results, and how many numbers the whole site shows at least.
PAGES_WITH_NUMBERS = ("index.html", "synthetic/index.html", "mnist/index.html")
MIN_NUMBERS = 20
# Full-page screenshots kept as build artifacts: page -> file name.
SCREENSHOTS = {"index.html": "home.png", "mnist/index.html": "mnist.png", "scalar/index.html": "scalar.png",
               "synthetic/index.html": "synthetic.png"}
# MkDocs' 404 page is served at any depth, so its links are written from the site root.
NOT_LINK_CHECKED = {"404.html"}

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

IGNORED_SCHEMES = {"mailto", "data", "javascript", "blob", "tel", "about"}
# <link rel=...> values that make the browser fetch the target; others (canonical, prev,
# next, alternate, ...) are links for a reader or a robot, not loads.
LOADING_RELS = {"stylesheet", "icon", "shortcut", "apple-touch-icon", "mask-icon", "preload",
                "modulepreload", "prefetch", "preconnect", "dns-prefetch", "manifest", "prerender"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
             "source", "track", "wbr"}
NOT_PROSE = {"pre", "code", "script", "style", "textarea"}
# Elements of these classes hold no prose: the hidden copy of a code cell for its copy button.
NOT_PROSE_CLASSES = {"clipboard-copy-txt"}
STDERR = "application/vnd.jupyter.stderr"
# A page.number span shown as text (printed by a code cell instead of displayed); the source
# of page.number itself, if a page shows it, has "{...}" where the key goes and does not match.
PRINTED_NUMBER = re.compile(r'<span class="mlp-number" data-key="[\w.]+"')


# --- reading the built pages -------------------------------------------------------------

@dataclass
class Ref:
    tag: str
    attr: str
    url: str
    loads: bool  # the browser fetches it while showing the page (not a link to follow)


@dataclass
class Number:
    key: str
    fmt: str
    text: str
    value: str | None = None  # a number the page derived passes its value (data-value)


@dataclass(repr=False)
class Page:
    path: str  # relative to the site, posix, e.g. "mnist/index.html"
    ids: set = field(default_factory=set)
    refs: list = field(default_factory=list)
    numbers: list = field(default_factory=list)
    prose: list = field(default_factory=list)  # text outside pre/code/script/style
    untagged: list = field(default_factory=list)  # prose outside mlp-number spans ("\0" marks one)
    text: list = field(default_factory=list)  # all text outside script/style
    styles: list = field(default_factory=list)  # inline <style> blocks

    def __repr__(self):
        return f"Page({self.path!r})"

    @property
    def prose_text(self) -> str:
        return "".join(self.prose)

    @property
    def all_text(self) -> str:
        return "".join(self.text)

    @property
    def has_math(self) -> bool:
        """Whether the page's text holds math delimiters for KaTeX to typeset."""
        return bool(re.search(r"\\\(|\\\[|\$", self.prose_text))


class PageParser(html.parser.HTMLParser):
    """Collects a page's ids, URLs, ``mlp-number`` spans and prose text."""

    def __init__(self, page: Page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.stack: list[str] = []
        self.hidden: list[bool] = []  # per open element: of a NOT_PROSE_CLASSES class
        self.not_prose = 0  # depth inside pre/code/script/style
        self.script = 0  # depth inside script/style
        self.number: tuple[int, Number] | None = None  # (stack depth, span) being read
        self.style: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag, attrs):
        self._start(tag, attrs, closed=True)

    def _start(self, tag, attrs, closed):
        attrs = {name: value for name, value in attrs if value is not None}
        for name in ("id", "name" if tag == "a" else None):
            if name and attrs.get(name):
                self.page.ids.add(attrs[name])
        self._refs(tag, attrs)
        if tag == "span" and "mlp-number" in attrs.get("class", "").split() and self.number is None:
            self.number = (len(self.stack), Number(attrs.get("data-key", ""), attrs.get("data-format", ""), "",
                                                   attrs.get("data-value")))
            self.page.untagged.append("\0")
        if tag == "style":
            self.style = []
        if closed or tag in VOID_TAGS:
            return
        self.stack.append(tag)
        self.hidden.append(bool(NOT_PROSE_CLASSES & set(attrs.get("class", "").split())))
        if tag in NOT_PROSE or self.hidden[-1]:
            self.not_prose += 1
        if tag in ("script", "style"):
            self.script += 1

    def _refs(self, tag, attrs):
        rels = set(attrs.get("rel", "").lower().split())
        for attr in ("href", "xlink:href", "src", "srcset", "data", "poster"):
            value = attrs.get(attr)
            if value is None or (attr == "data" and tag != "object"):
                continue
            if attr in ("href", "xlink:href"):
                loads = tag in ("use", "image") or (tag == "link" and bool(rels & LOADING_RELS))
            else:
                loads = True
            urls = [part.strip().split()[0] for part in value.split(",") if part.strip()] \
                if attr == "srcset" else [value.strip()]
            self.page.refs.extend(Ref(tag, attr, url, loads) for url in urls)

    def handle_endtag(self, tag):
        if tag not in self.stack:
            return
        while self.stack:
            top, hidden = self.stack.pop(), self.hidden.pop()
            if top in NOT_PROSE or hidden:
                self.not_prose -= 1
            if top in ("script", "style"):
                self.script -= 1
            if top == "style" and self.style is not None:
                self.page.styles.append("".join(self.style))
                self.style = None
            if self.number and len(self.stack) == self.number[0]:
                self.page.numbers.append(self.number[1])
                self.number = None
            if top == tag:
                break

    def handle_data(self, data):
        if self.number:
            self.number[1].text += data
        if self.style is not None:
            self.style.append(data)
        if not self.not_prose:
            self.page.prose.append(data)
            if not self.number:
                self.page.untagged.append(data)
        if not self.script:
            self.page.text.append(data)


@dataclass(repr=False)
class Site:
    root: Path
    pages: dict  # path -> Page

    def __repr__(self):
        return f"Site({str(self.root)!r}, {len(self.pages)} pages)"

    def page(self, path: str) -> Page:
        if path not in self.pages:
            pytest.fail(f"the site has no page {path}")
        return self.pages[path]


def read_site(root: Path) -> Site:
    pages = {}
    for file in sorted(root.rglob("*.html")):
        path = file.relative_to(root).as_posix()
        page = Page(path)
        parser = PageParser(page)
        parser.feed(file.read_text(encoding="utf-8"))
        parser.close()
        pages[path] = page
    return Site(root, pages)


def site_url() -> str:
    """The site's public address if the build was given one (``site_url`` in mkdocs.yml)."""
    url = os.environ.get("MLP_SITE_URL", "")
    return url if not url or url.endswith("/") else url + "/"


def site_path() -> str:
    """The path the site is served below (``/repository/`` on GitHub Pages), else ``/``."""
    path = urlsplit(site_url()).path or "/"
    return path if path.endswith("/") else path + "/"


def resolve(site: Site, source: str, url: str):
    """Where ``url``, written in the file ``source``, points.

    Returns ``("ignore", None, None)``, ``("external", url, None)``,
    ``("broken", reason, None)`` or ``("internal", file, fragment)`` with ``file``
    relative to the site.
    """
    base = posixpath.dirname(source)
    public, prefix = site_url(), site_path()
    for start in (public, prefix if prefix != "/" else ""):
        if start and url.startswith(start):  # the site's own address, or its path on the host
            url, base = url[len(start):], ""
            if not urlsplit(url).path:
                url = "index.html" + url
            break
    parts = urlsplit(url)
    if parts.scheme in IGNORED_SCHEMES or not url:
        return "ignore", None, None
    if parts.scheme or parts.netloc:
        if parts.scheme in ("http", "https", "") and parts.netloc:
            return "external", url, None
        return "broken", f"unknown scheme {parts.scheme!r}", None
    path = unquote(parts.path)
    if path.startswith("/"):
        return "broken", f"root-absolute URL outside the site's path {site_path()}", None
    if not path:
        target = source
    else:
        target = posixpath.normpath(posixpath.join(base, path))
        if target == ".." or target.startswith("../"):
            return "broken", "points above the site's root", None
        if target == ".":
            target = ""
        if path.endswith("/") or (site.root / target).is_dir():
            target = posixpath.join(target, "index.html") if target else "index.html"
    if not (site.root / target).is_file():
        return "broken", f"no file {target}", None
    return "internal", target, unquote(parts.fragment)


# --- fixtures ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site() -> Site:
    """The built site named by ``MLP_SITE_DIR``, parsed (skip if unset, fail if missing)."""
    value = os.environ.get("MLP_SITE_DIR")
    if not value:
        pytest.skip("MLP_SITE_DIR is unset: build the site (mkdocs build --strict) and set "
                    "MLP_SITE_DIR to its folder to check it")
    root = Path(value).resolve()
    if not (root / "index.html").is_file():
        pytest.fail(f"MLP_SITE_DIR={value}: no built site there (no index.html)")
    return read_site(root)


@pytest.fixture(scope="module")
def artifacts_dir() -> Path:
    path = Path(os.environ.get("MLP_ARTIFACTS_DIR") or ROOT / "artifacts")
    path.mkdir(parents=True, exist_ok=True)
    return path


class NotInCache(Exception):
    """A result the site shows is not in the results cache (so it would have to be trained)."""


@pytest.fixture(scope="module")
def lookup(caller_results_dir):
    """``key, fmt -> text`` as :mod:`mlp.site.page` formats it from the build's results.

    The build's cache is ``MLP_RESULTS_DIR`` as the caller set it (not the tests' private
    cache) and its profile ``MLP_PROFILE`` (default ``full``). Nothing is trained here: a
    result missing from the cache is an error, not a reason to compute it.
    """
    from mlp.experiments import runs
    from mlp.site import page

    def refuse(run, progress=False):
        raise NotInCache(f"a result is missing from the cache ({run}): was the site built from "
                         "this source, with this MLP_RESULTS_DIR and MLP_PROFILE?")

    with pytest.MonkeyPatch.context() as patch:
        if caller_results_dir:
            patch.setenv("MLP_RESULTS_DIR", caller_results_dir)
        else:
            patch.delenv("MLP_RESULTS_DIR", raising=False)
        patch.setenv("MLP_PROFILE", os.environ.get("MLP_PROFILE", "full"))
        patch.setattr(runs, "execute", refuse)
        page.results.cache_clear()

        def format_number(key: str, fmt: str) -> str:
            return page.FORMATS[fmt](page.lookup(key))

        yield format_number
        page.results.cache_clear()


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serves the site below ``prefix``, as GitHub Pages serves a project's site."""

    prefix = "/"

    def translate_path(self, path):
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "-not-in-the-site-")
        return super().translate_path("/" + path[len(self.prefix):])

    def log_message(self, format, *args):
        pass


@pytest.fixture(scope="module")
def server(site):
    """The site served by :mod:`http.server` on 127.0.0.1 (a free port); its base URL.

    The site is served below the path of its public address (``MLP_SITE_URL``) if the
    build was given one, so root-absolute links resolve as they will once published.
    """
    handler = type("Handler", (_SiteHandler,), {"prefix": site_path()})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(site.root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}{site_path()}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


# JavaScript run in each loaded page: what the browser shows.
INSPECT = """
async () => {
  const images = Array.from(document.images);
  images.forEach(img => { img.loading = "eager"; });
  const decoded = await Promise.all(images.map(img => img.decode().then(() => true, () => false)));
  const brokenImages = images.filter((img, i) => !decoded[i] || !img.complete
      || (img.naturalWidth === 0 && !/\\.svg($|[?#])|^data:image\\/svg/.test(img.currentSrc)))
    .map(img => img.getAttribute("src"));
  const walk = (skip) => {
    const texts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentElement.closest(skip)) texts.push(node.textContent);
    }
    return texts;
  };
  const raw = walk("pre, code, script, style, textarea, .katex, .katex-error")
    .filter(t => ["\\\\(", "\\\\)", "\\\\[", "\\\\]", "$$"].some(d => t.includes(d)))
    .map(t => t.trim().slice(0, 120));
  const outputs = Array.from(document.querySelectorAll('[data-mime-type="STDERR"]'),
                             el => el.textContent.trim()).filter(t => t);
  const meaningful = text => Boolean(text) && text.trim().length >= 20 && !/no description/i.test(text);
  const svgName = svg => svg.getAttribute("aria-label") || (svg.querySelector(":scope > title") || {}).textContent;
  const unnamed = [
    ...images.filter(img => !meaningful(img.getAttribute("alt")))
      .map(img => `<img alt=${JSON.stringify(img.getAttribute("alt"))} src=${(img.getAttribute("src") || "").slice(0, 40)}>`),
    ...Array.from(document.querySelectorAll(".jupyter-wrapper svg"))
      .filter(svg => !svg.closest(".katex, [aria-hidden=true]") && !svg.parentElement.closest("svg") && !meaningful(svgName(svg)))
      .map(svg => `<svg> of ${svg.outerHTML.length} characters`),
  ];
  return {
    unnamed,
    katex: document.querySelectorAll(".katex").length,
    katexErrors: Array.from(document.querySelectorAll(".katex-error"),
                            el => `${el.textContent.slice(0, 80)} (${el.getAttribute("title")})`),
    raw,
    brokenImages,
    tracebacks: walk("script, style").join("").includes("Traceback (most recent call last)"),
    stderr: outputs.map(t => t.slice(0, 300)),
  };
}
""".replace("STDERR", STDERR)


# JavaScript run after switching to the dark scheme: the scheme, the page's background and
# each figure's, as relative luminances (0 black, 1 white; a transparent one counts as None).
DARK = """
() => {
  const luminance = color => {
    const [r, g, b, a = 1] = color.match(/[\\d.]+/g).map(Number);
    if (a < 0.99) return null;
    const channel = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  return {
    scheme: document.body.getAttribute("data-md-color-scheme"),
    page: luminance(getComputedStyle(document.body).backgroundColor),
    figures: Array.from(document.querySelectorAll("img.mlp-figure"),
                        img => luminance(getComputedStyle(img).backgroundColor)),
  };
}
"""


def in_dark_scheme(tab, screenshot: Path) -> dict:
    """Switch Material's palette to the dark scheme (its toggle), screenshot the page, switch back."""
    toggle = tab.locator("form[data-md-component=palette] label:not([hidden])").first
    toggle.click()
    tab.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    shown = tab.evaluate(DARK)
    tab.screenshot(path=str(screenshot), full_page=True)
    tab.locator("form[data-md-component=palette] label:not([hidden])").first.click()
    tab.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'default'")
    return shown


# The smallest text a reader must read in a figure, in CSS px as the page shows it.
MIN_FIGURE_TEXT_PX = 9
# The smallest square raster image in a figure, in CSS px a side as the page shows it: a 28
# by 28 digit or weight map at two CSS px per pixel at least.
MIN_FIGURE_IMAGE_PX = 56

# JavaScript run in each loaded page: per figure (each <img class=mlp-figure>, and each frame
# of a player), the smallest size at which the page shows any of its SVG's text. The SVG
# is drawn inline, offscreen, at the width its image takes on the page; each text's size
# is its font size times the scale from its coordinates to the page's (its screen CTM),
# so every transform inside the SVG counts. Text drawn as paths has no size to read.
FIGURE_TEXT = """
async () => {
  const smallest = async (src, width) => {
    const [head, body = ""] = src.split(",", 2);
    const svgText = head.endsWith(";base64")
      ? new TextDecoder().decode(Uint8Array.from(atob(body), c => c.charCodeAt(0))) : decodeURIComponent(body);
    const parsed = new DOMParser().parseFromString(svgText, "image/svg+xml").documentElement;
    if (parsed.nodeName !== "svg") return {texts: 0, error: "not an SVG"};
    const svg = document.importNode(parsed, true);
    svg.setAttribute("width", String(width));
    svg.removeAttribute("height");
    const box = document.createElement("div");
    box.style.cssText = "position: absolute; left: -20000px; top: 0; visibility: hidden";
    box.appendChild(svg);
    document.body.appendChild(box);
    let least = Infinity, text = "", texts = 0;
    for (const el of svg.querySelectorAll("text, tspan")) {
      if (!el.textContent.trim() || (el.nodeName === "text" && el.querySelector("tspan"))) continue;
      const m = el.getScreenCTM();
      const px = parseFloat(getComputedStyle(el).fontSize) * Math.sqrt(Math.abs(m.a * m.d - m.b * m.c));
      texts += 1;
      if (px < least) { least = px; text = (el.closest("text") || el).textContent.replace(/\\s*\\n\\s*/g, "").trim(); }
    }
    // The smallest square raster image drawn in the figure (an MNIST digit, a weight map; not
    // a colour bar's strip), by its side.
    let imagePx = null;
    for (const el of svg.querySelectorAll("image")) {
      const rect = el.getBoundingClientRect();
      if (rect.width > 0 && Math.abs(Math.log(rect.width / rect.height)) < 0.2) {
        imagePx = Math.min(imagePx ?? Infinity, rect.width);
      }
    }
    box.remove();
    return {texts, px: least, text: text.slice(0, 60), imagePx};
  };
  const contentWidth = img => {
    const style = getComputedStyle(img);
    return img.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  };
  const found = [];
  for (const img of document.querySelectorAll("img.mlp-figure")) {
    const alt = (img.getAttribute("alt") || "").slice(0, 80), width = contentWidth(img);
    const player = img.id.startsWith("_anim_img") ? window["anim" + img.id.slice("_anim_img".length)] : null;
    const frames = player ? player.frames.map(frame => frame.src) : [img.currentSrc || img.src];
    for (const [i, src] of frames.entries()) {
      const what = player ? `${alt} (frame ${i + 1} of ${frames.length})` : alt;
      found.push({what, width, ...(width > 0 ? await smallest(src, width) : {texts: 0, error: "not laid out"})});
    }
  }
  return found;
}
"""


@dataclass(repr=False)
class Visit:
    requests: list = field(default_factory=list)
    failures: list = field(default_factory=list)  # failed requests and HTTP errors
    console: list = field(default_factory=list)  # console errors and uncaught exceptions
    shown: dict = field(default_factory=dict)  # INSPECT's answer
    dark: dict | None = None  # DARK's answer in the slate scheme (screenshot pages only)
    figure_text: list = field(default_factory=list)  # FIGURE_TEXT's answer

    def __repr__(self):
        return f"Visit({len(self.requests)} requests, {self.shown})"


@pytest.fixture(scope="module")
def browser(site, server, artifacts_dir) -> dict:
    """Every page loaded once in headless Chromium: ``path -> Visit``; screenshots saved."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: pip install -e '.[test]' (its browser download "
                    "is not needed: the tests drive the system's Chromium)")
    chromium = os.environ.get("MLP_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.fail("no Chromium found: install it (apt-get install chromium) or set MLP_CHROMIUM")
    visits = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
        try:
            for path in site.pages:
                visit = visits[path] = Visit()
                tab = context.new_page()
                tab.on("request", lambda request, visit=visit: visit.requests.append(request.url))
                tab.on("requestfailed", lambda request, visit=visit: visit.failures.append(
                    f"{request.url}: {request.failure}"))
                tab.on("response", lambda response, visit=visit: response.status >= 400 and visit.failures.append(
                    f"{response.url}: HTTP {response.status}"))
                tab.on("console", lambda message, visit=visit: message.type == "error" and visit.console.append(
                    f"{message.text} ({message.location.get('url', '')})"))
                tab.on("pageerror", lambda error, visit=visit: visit.console.append(f"uncaught: {error}"))
                tab.goto(server + ("" if path == "index.html" else path), wait_until="networkidle")
                # KaTeX typesets after the page's scripts load, later on a long page: wait for its mark.
                tab.wait_for_selector("body[data-mlp-typeset]", state="attached", timeout=60_000)
                visit.shown = tab.evaluate(INSPECT)
                visit.figure_text = tab.evaluate(FIGURE_TEXT)
                if path in SCREENSHOTS:
                    tab.screenshot(path=str(artifacts_dir / SCREENSHOTS[path]), full_page=True)
                    visit.dark = in_dark_scheme(tab, artifacts_dir / SCREENSHOTS[path].replace(".png", "-dark.png"))
                tab.close()
        finally:
            browser.close()
    return visits


# --- links -------------------------------------------------------------------------------

def test_internal_links_resolve(site, artifacts_dir):
    """Every URL inside the site names an existing file, and its fragment an id there."""
    problems, external = [], set()
    for path, page in site.pages.items():
        if path in NOT_LINK_CHECKED:
            continue
        for ref in page.refs:
            kind, target, fragment = resolve(site, path, ref.url)
            if kind == "external":
                external.add(ref.url)
            elif kind == "broken":
                problems.append(f"{path}: <{ref.tag} {ref.attr}={ref.url!r}>: {target}")
            elif kind == "internal" and fragment and target.endswith(".html"):
                if fragment not in site.page(target).ids:
                    problems.append(f"{path}: <{ref.tag} {ref.attr}={ref.url!r}>: no id {fragment!r} in {target}")
    (artifacts_dir / "external-links.txt").write_text("".join(f"{url}\n" for url in sorted(external)))
    assert not problems, f"{len(problems)} broken link(s):\n" + "\n".join(problems)


def test_no_external_resources_loaded(site):
    """No page makes the browser fetch anything from another host (the site works offline)."""
    loads = [f"{path}: <{ref.tag} {ref.attr}={ref.url!r}>" for path, page in site.pages.items()
             for ref in page.refs if ref.loads and resolve(site, path, ref.url)[0] == "external"]
    assert not loads, "pages load external resources:\n" + "\n".join(loads)


def test_css_urls_resolve(site):
    """Every ``url()`` of the site's CSS files and inline styles exists in the site.

    In a ``@font-face`` ``src`` list one existing alternative is enough (KaTeX lists
    woff2, woff and ttf; the site ships woff2, which every current browser takes first).
    """
    sheets = [(file.relative_to(site.root).as_posix(), file.read_text(encoding="utf-8"))
              for file in sorted(site.root.rglob("*.css"))]
    sheets += [(path, style) for path, page in site.pages.items() for style in page.styles]
    problems = []
    for path, css in sheets:
        css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
        for declaration in re.split(r"[;{}]", css):
            urls = [match.strip("'\" ") for match in re.findall(r"url\(\s*([^)]*?)\s*\)", declaration)]
            found = [(url, resolve(site, path, url)) for url in urls]
            found = [(url, kind, target) for url, (kind, target, _) in found if kind != "ignore"]
            if not found:
                continue
            external = [url for url, kind, _ in found if kind == "external"]
            broken = [f"{url} ({target})" for url, kind, target in found if kind == "broken"]
            if external:
                problems.append(f"{path}: loads external {', '.join(external)}")
            if declaration.strip().startswith("src:") and len(broken) < len(found):
                continue
            if broken:
                problems.append(f"{path}: missing {', '.join(broken)}")
    assert not problems, "CSS points at missing or external files:\n" + "\n".join(problems)


# --- numbers -----------------------------------------------------------------------------

def test_numbers_match_results(site, lookup):
    """Each tagged number whose key names a result shows that result, formatted as the page
    formats it, even where the page passed a value of its own. A number derived on the page
    under a key of its own (``value=``, not a result) has nothing to be checked against."""
    from mlp.site import page as helpers

    problems, checked = [], 0
    for path, page in site.pages.items():
        printed = PRINTED_NUMBER.search(page.all_text)
        if printed:
            problems.append(f"{path}: a number's HTML is shown as text, not displayed: {printed.group()!r}")
        for number in page.numbers:
            if number.fmt not in helpers.FORMATS:
                problems.append(f"{path}: {number.key}: unknown format {number.fmt!r}")
                continue
            try:
                expected = lookup(number.key, number.fmt)
            except NotInCache as error:
                pytest.fail(f"{path}: {number.key}: {error}")
            except (KeyError, IndexError, TypeError, ValueError) as error:
                if number.value is None:
                    problems.append(f"{path}: {number.key}: not in the results ({error!r})")
                continue
            checked += 1
            if number.text != expected:
                problems.append(f"{path}: {number.key} shows {number.text!r}, the results give {expected!r}")
    assert not problems, f"{len(problems)} of the site's numbers disagree with the results:\n" + "\n".join(problems)
    assert checked, "no numbers were checked"


# Every executed page but these shows each percentage or decimal of its prose as a tagged
# number (or the report's words). None is left out.
UNTAGGED_PAGES = ()
MATH = re.compile(r"\$\$.*?\$\$|\$.*?\$|\\\(.*?\\\)|\\\[.*?\\\]", re.S)
# A percentage, a decimal or a number in scientific notation ("93.14%", "0.4404", "1e-3");
# integers ("784", "5 epochs") are not caught.
DECIMAL = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?:\s?%)?(?![\w])")


def untagged_numbers(page: Page) -> list[str]:
    """The percentages and decimals in a page's prose (outside code and math) that no
    ``mlp-number`` span tags, except the report's own words (``mlp.report.QUOTED``)."""
    from mlp import report

    text = MATH.sub(" ", "".join(page.untagged))
    found = []
    for match in DECIMAL.finditer(text):
        token = match.group()
        if any(c in token for c in ".%eE") and token.replace(" ", "") not in report.QUOTED:
            found.append(f"{token!r} in ...{text[max(0, match.start() - 50):match.end() + 20]}...".replace("\n", " "))
    return found


def test_no_untagged_numbers(site):
    """Each percentage or decimal that an executed page shows is a tagged, checked number.

    Code and what a visible code cell prints (``<pre>``, ``<code>``) are not prose: the reader
    sees the code's output beside its code. A cell whose code is hidden shows no code, so it
    shows its numbers as prose (``page.md``, ``page.table``): its printed output may hold none.
    """
    import nbformat

    pages = [path for path in executed_pages(site) if path not in UNTAGGED_PAGES]
    assert pages, "no executed pages found"
    problems = [f"{path}: {hit}" for path in pages for hit in untagged_numbers(site.page(path))]
    for path in pages:
        for cell in nbformat.read(notebook_of(site, path), as_version=4).cells:
            if cell.cell_type == "code" and "hide-input" in cell.metadata.get("tags", []):
                printed = "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")
                problems += [f"{path}: {match.group()!r} printed by a cell whose code is hidden"
                             for match in DECIMAL.finditer(printed) if any(c in match.group() for c in ".%eE")]
    assert not problems, (f"{len(problems)} numbers in the pages' prose do not come through page.number():\n"
                          + "\n".join(problems))


def test_pages_show_numbers(site):
    """The pages that report results show them as tagged numbers, and the site has many."""
    counts = {path: len(page.numbers) for path, page in site.pages.items()}
    missing = [path for path in PAGES_WITH_NUMBERS if counts.get(path, 0) == 0]
    assert not missing, f"pages without a single computed number: {missing}"
    total = sum(counts.values())
    assert total > MIN_NUMBERS, f"the site shows only {total} computed numbers: {counts}"


# --- in the browser ----------------------------------------------------------------------

def test_math_rendered(site, browser):
    """KaTeX typeset every formula: no errors, no raw delimiters left, math where written."""
    problems = []
    for path, visit in browser.items():
        shown = visit.shown
        problems += [f"{path}: KaTeX error: {error}" for error in shown["katexErrors"]]
        problems += [f"{path}: raw math delimiters in the text: {text!r}" for text in shown["raw"]]
        if site.pages[path].has_math and not shown["katex"]:
            problems.append(f"{path}: the page has math but nothing was typeset")
    assert not problems, "math not rendered:\n" + "\n".join(problems)


def test_images_load(browser):
    """Every ``<img>`` loaded and decoded."""
    broken = [f"{path}: {src}" for path, visit in browser.items() for src in visit.shown["brokenImages"]]
    assert not broken, "images that did not load:\n" + "\n".join(broken)


def test_no_request_leaves_the_machine(browser):
    """Every request of every page load went to the local server (or was data:/blob:)."""
    outside = sorted({f"{path}: {url}" for path, visit in browser.items() for url in visit.requests
                      if urlsplit(url).scheme not in ("data", "blob")
                      and urlsplit(url).hostname != "127.0.0.1"})
    assert not outside, "requests to other hosts:\n" + "\n".join(outside)


def test_every_request_succeeds(browser):
    """No request of a page load failed or got an HTTP error (a missing file, say)."""
    failures = [f"{path}: {failure}" for path, visit in browser.items() for failure in visit.failures]
    assert not failures, "failed requests:\n" + "\n".join(failures)


def test_no_python_errors_shown(browser):
    """No page shows a traceback, or any output a cell wrote to stderr (errors, warnings)."""
    problems = [f"{path}: shows a Python traceback" for path, visit in browser.items() if visit.shown["tracebacks"]]
    problems += [f"{path}: shows stderr output: {text!r}" for path, visit in browser.items()
                 for text in visit.shown["stderr"]]
    assert not problems, "\n".join(problems)


def test_no_console_errors(browser):
    """The browser's console logged no error and no script threw."""
    errors = [f"{path}: {error}" for path, visit in browser.items() for error in visit.console]
    assert not errors, "console errors:\n" + "\n".join(errors)


def test_screenshots_saved(browser, artifacts_dir):
    """Full-page screenshots of the home and MNIST pages were written as artifacts."""
    for path, name in SCREENSHOTS.items():
        assert path in browser, f"the site has no page {path} to screenshot"
        shot = artifacts_dir / name
        assert shot.is_file() and shot.stat().st_size > 10_000, f"no usable screenshot {shot}"


def test_every_figure_has_a_text_alternative(browser):
    """Every image, and every SVG figure of an executed page, has an alt text or accessible name that says something."""
    missing = [f"{path}: {what}" for path, visit in browser.items() for what in visit.shown["unnamed"]]
    assert not missing, "figures without a meaningful text alternative:\n" + "\n".join(missing)


def test_figures_legible_in_the_dark_scheme(browser, artifacts_dir):
    """In Material's dark scheme the page turns dark and every figure sits on an opaque light background."""
    problems = []
    for path, name in SCREENSHOTS.items():
        dark = browser[path].dark
        if dark["scheme"] != "slate" or dark["page"] is None or dark["page"] > 0.2:
            problems.append(f"{path}: the dark scheme did not take: {dark}")
        if not dark["figures"] or None in dark["figures"]:
            problems.append(f"{path}: figures without an opaque background (or none found): {dark['figures']}")
        elif min(dark["figures"], default=1) < 0.8:
            problems.append(f"{path}: a figure's background is dark, its dark text would vanish: {dark['figures']}")
        shot = artifacts_dir / name.replace(".png", "-dark.png")
        if not (shot.is_file() and shot.stat().st_size > 10_000):
            problems.append(f"no usable dark screenshot {shot}")
    assert not problems, "\n".join(problems)


def test_figure_text_readable_at_its_size_on_the_page(browser):
    """The smallest text of every figure (and of every frame of a player) shows at least
    `MIN_FIGURE_TEXT_PX` CSS px at the page's width: a figure drawn wider than the column
    is shrunk to it, and its text with it."""
    problems = []
    for path, visit in browser.items():
        for figure in visit.figure_text:
            if figure.get("error") or not figure["texts"]:
                problems.append(f"{path}: {figure['what']!r}: no text to measure ({figure.get('error') or 'text drawn as paths?'})")
            elif figure["px"] < MIN_FIGURE_TEXT_PX:
                problems.append(f"{path}: {figure['what']!r}, shown {figure['width']:.0f} px wide: "
                                f"its text {figure['text']!r} is {figure['px']:.1f} px")
    measured = sum(len(visit.figure_text) for visit in browser.values())
    assert measured, "no figure measured"
    assert not problems, (f"{len(problems)} of {measured} figures have text below {MIN_FIGURE_TEXT_PX} px:\n"
                          + "\n".join(problems))


def test_figure_images_large_enough_to_read(browser):
    """Every square raster image drawn in a figure (a digit, a hidden unit's weights) shows at
    least `MIN_FIGURE_IMAGE_PX` CSS px a side at the page's width."""
    small = [f"{path}: {figure['what']!r}, shown {figure['width']:.0f} px wide: an image {figure['imagePx']:.0f} px"
             for path, visit in browser.items() for figure in visit.figure_text
             if figure.get("imagePx") is not None and figure["imagePx"] < MIN_FIGURE_IMAGE_PX]
    assert any(figure.get("imagePx") for visit in browser.values() for figure in visit.figure_text), \
        "no raster image found in any figure"
    assert not small, f"images below {MIN_FIGURE_IMAGE_PX} px:\n" + "\n".join(small)


# --- notebooks ---------------------------------------------------------------------------

NOTEBOOK_LINK = re.compile(r'<a href="([^"]+\.ipynb)" download>Download notebook</a>')


def executed_pages(site) -> dict:
    """Built page -> its jupytext source, for every page executed from ``docs/*.py``."""
    pages = {}
    for source in sorted((ROOT / "docs").glob("*.py")):
        pages["index.html" if source.stem == "index" else f"{source.stem}/index.html"] = source
    return pages


def notebook_of(site, path) -> Path:
    links = NOTEBOOK_LINK.findall((site.root / path).read_text(encoding="utf-8"))
    assert len(links) == 1, f"{path}: {len(links)} 'Download notebook' links"
    kind, target, _ = resolve(site, path, links[0])
    assert kind == "internal", f"{path}: the notebook link {links[0]!r} is {kind}: {target}"
    return site.root / target


def test_executed_pages_offer_their_notebook(site):
    """Every executed page links to an .ipynb built from its source, with the build's outputs."""
    import jupytext
    import nbformat

    for path, source in executed_pages(site).items():
        nb = nbformat.read(notebook_of(site, path), as_version=4)
        nbformat.validate(nb)
        code = [cell.source for cell in nb.cells if cell.cell_type == "code"]
        assert code == [cell.source for cell in jupytext.read(source).cells if cell.cell_type == "code"], \
            f"{path}: the notebook's code is not its source's"
        assert all(cell.execution_count for cell in nb.cells if cell.cell_type == "code"), f"{path}: not executed"
        assert any(cell.outputs for cell in nb.cells if cell.cell_type == "code"), f"{path}: no outputs"


def test_a_notebook_runs_top_to_bottom(site, caller_results_dir, tmp_path):
    """The scalar page's notebook, hidden build cells and all, re-executes in a fresh kernel."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook_of(site, "scalar/index.html"), as_version=4)
    assert any("hide-input" in cell.metadata.get("tags", []) for cell in nb.cells), "no hidden build cell to run"
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    with pytest.MonkeyPatch.context() as patch:  # the kernel inherits this environment
        patch.setenv("MLP_PROFILE", os.environ.get("MLP_PROFILE", "full"))
        if caller_results_dir:
            patch.setenv("MLP_RESULTS_DIR", caller_results_dir)
        NotebookClient(nb, timeout=600, allow_errors=False, resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert all(cell.execution_count for cell in nb.cells if cell.cell_type == "code")
