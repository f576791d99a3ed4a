"""Accessibility of the built site: axe-core's audit in both schemes, the keyboard, the math.

Like tests/test_site.py, these tests read the site named by ``MLP_SITE_DIR`` (skipped when
it is unset) and drive the system's Chromium through Playwright.

- Audit: axe-core (`AXE_VERSION`, installed from the npm registry into ``.cache/axe`` on
  first use, as the build installs KaTeX; no CDN) runs in every page, in Material's light
  and dark scheme, with the WCAG 2.0 and 2.1 A and AA rules and axe's best practices. No
  serious or critical violation is left but those `ALLOWED`, each with its reason.
- Keyboard: Tab walks through every page; every control of the article (links, buttons,
  folded blocks, a player's slider and buttons, every region that scrolls) is reached,
  shows a focus ring, and the first of each kind works from the keyboard.
- Math: KaTeX's MathML copy of every formula, which screen readers read, is kept in the
  accessibility tree, not hidden.
"""

from __future__ import annotations

import collections
import os
import shutil

import pytest

from test_site import CHROMIUM_ARGS, ROOT, server, site  # noqa: F401 (fixtures)

AXE_VERSION = "4.11.0"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}
# Violations accepted, by axe rule id, each with the reason it cannot be fixed here.
ALLOWED: dict[str, str] = {}
SCHEMES = ("default", "slate")  # Material's light and dark palettes


def axe_source() -> str:
    """axe-core's script at `AXE_VERSION`, installed from the npm registry if it is not there."""
    from mlp.site.hooks import npm_package

    return (npm_package(ROOT / ".cache" / "axe", "axe-core", AXE_VERSION) / "axe.min.js").read_text()


def open_browser(playwright):
    chromium = os.environ.get("MLP_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.fail("no Chromium found: install it (apt-get install chromium) or set MLP_CHROMIUM")
    return playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)


def load(tab, url: str, scheme: str) -> None:
    """Open ``url`` in Material's ``scheme``, its math typeset."""
    tab.goto(url, wait_until="networkidle")
    tab.wait_for_selector("body[data-mlp-typeset]", state="attached", timeout=60_000)
    if tab.evaluate("document.body.getAttribute('data-md-color-scheme')") != scheme:
        tab.locator("form[data-md-component=palette] label:not([hidden])").first.click()
        tab.wait_for_function(f"document.body.getAttribute('data-md-color-scheme') === '{scheme}'")
    tab.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")  # scripts' next frame


def page_url(server, path: str) -> str:
    return server + ("" if path == "index.html" else path)


def audited_pages(site) -> list[str]:
    """Every page of the site but MkDocs' 404 page, whose links are written for any depth."""
    return [path for path in site.pages if path != "404.html"]


# JavaScript: axe's violations on the page, one entry per (rule, element).
AXE_RUN = """
async (tags) => {
  const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return result.violations.flatMap(v => v.nodes.map(node => ({
    rule: v.id, impact: node.impact || v.impact, target: node.target.join(" "),
    html: node.html.slice(0, 160), why: (node.failureSummary || "").split("\\n").slice(1, 2).join("").trim(),
  })));
}
"""

# JavaScript: the shown formulas whose MathML copy a screen reader cannot reach: missing,
# not rendered, or under aria-hidden. A formula hidden from every reader (a folded answer, the
# hidden copy of a code block for its copy button) is not counted.
MATHML_HIDDEN = """
() => Array.from(document.querySelectorAll(".katex")).filter(el => el.getClientRects().length > 0).filter(el => {
  const mathml = el.querySelector(".katex-mathml math");
  if (!mathml || el.closest("[aria-hidden=true]")) return true;
  for (let node = mathml; node !== el.parentElement; node = node.parentElement) {
    const style = getComputedStyle(node);
    if (style.display === "none" || style.visibility === "hidden" || node.getAttribute("aria-hidden") === "true") {
      return true;
    }
  }
  return false;
}).map(el => el.textContent.slice(0, 60))
"""


@pytest.fixture(scope="module")
def audits(site, server) -> dict:
    """``(page, scheme) -> axe's violations`` and ``page -> formulas with hidden MathML``."""
    from playwright.sync_api import sync_playwright

    script = axe_source()
    found = {"axe": {}, "mathml": {}}
    with sync_playwright() as playwright:
        browser = open_browser(playwright)
        try:
            for scheme in SCHEMES:
                context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
                for path in audited_pages(site):
                    tab = context.new_page()
                    load(tab, page_url(server, path), scheme)
                    tab.add_script_tag(content=script)
                    found["axe"][path, scheme] = tab.evaluate(AXE_RUN, AXE_TAGS)
                    if scheme == "default":
                        found["mathml"][path] = tab.evaluate(MATHML_HIDDEN)
                    tab.close()
                context.close()
        finally:
            browser.close()
    return found


def count_by_rule(violations: dict) -> dict:
    """``rule (impact) -> (elements, pages)`` over ``(page, scheme) -> violations``."""
    elements, pages = collections.Counter(), collections.defaultdict(set)
    for (path, scheme), found in violations.items():
        for v in found:
            key = f"{v['rule']} ({v['impact']})"
            elements[key] += 1
            pages[key].add(f"{path} {scheme}")
    return {key: (elements[key], len(pages[key])) for key in sorted(elements)}


def test_no_serious_accessibility_violations(audits):
    """axe-core finds no serious or critical WCAG 2.1 A/AA or best-practice violation on any page, light or dark."""
    problems = [f"{path} ({scheme}): {v['rule']} ({v['impact']}) at {v['target']}: {v['why']} {v['html']}"
                for (path, scheme), found in audits["axe"].items() for v in found
                if v["impact"] in FAILING_IMPACTS and v["rule"] not in ALLOWED]
    assert audits["axe"], "no page audited"
    summary = "\n".join(f"  {key}: {n} elements on {pages} page views"
                        for key, (n, pages) in count_by_rule(audits["axe"]).items())
    assert not problems, (f"{len(problems)} serious or critical violations; all, by rule:\n{summary}\n"
                          + "\n".join(problems[:60]))


def test_math_readable_by_screen_readers(audits):
    """Every typeset formula keeps KaTeX's MathML, neither hidden nor removed from the accessibility tree."""
    hidden = [f"{path}: {formula!r}" for path, formulas in audits["mathml"].items() for formula in formulas]
    assert not hidden, f"{len(hidden)} formulas a screen reader cannot read:\n" + "\n".join(hidden[:40])


# --- the keyboard -------------------------------------------------------------------------

# JavaScript: mark every control of the article a keyboard must reach (data-kb="n"), and
# every region that scrolls sideways or down, which must be focusable to be scrolled by
# keys; a link, button or field taken out of the tab order (tabindex=-1) counts too.
# Radio buttons of a group count once (Tab enters a group, arrows move inside it).
# What a closed <details> hides is not shown, and not counted.
MARK_CONTROLS = """
() => {
  const shown = el => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
  const controls = "a[href], button, summary, input:not([type=hidden]), select, textarea, [tabindex]";
  const found = [], groups = new Set();
  const article = document.querySelector("article");
  for (const el of article.querySelectorAll("*")) {
    const style = getComputedStyle(el);
    const scrolls = (el.scrollWidth > el.clientWidth + 1 && /auto|scroll/.test(style.overflowX))
      || (el.scrollHeight > el.clientHeight + 1 && /auto|scroll/.test(style.overflowY));
    const native = el.matches("a[href], button, summary, input, select, textarea");
    if (!(el.matches(controls) || scrolls) || (el.matches("[tabindex='-1']") && !scrolls && !native) || el.disabled
        || !shown(el)) continue;
    if (el.closest("details:not([open]) > :not(summary)")) continue;
    let kind = scrolls && !el.matches(controls) ? "scroller" : el.tagName.toLowerCase();
    if (el.matches("input[type=radio]")) {
      const group = el.form || el;
      if (groups.has(group)) continue;
      groups.add(group);
      kind = "radio group";
    }
    if (el.matches("input[type=range]")) kind = "slider";
    el.setAttribute("data-kb", String(found.length));
    found.push({kind, what: (el.getAttribute("aria-label") || el.textContent || el.outerHTML).trim().slice(0, 50)});
  }
  return found;
}
"""

# JavaScript: which marked control has the focus, and whether a focus ring shows around it.
FOCUSED = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const transparent = color => /rgba\\(.*,\\s*0\\)$|transparent/.test(color);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1 && !transparent(style.outlineColor))
    || (style.boxShadow !== "none" && !transparent(style.boxShadow));
  const radio = el.matches("input[type=radio]") && el.form ? el.form.querySelector("[data-kb]") : null;
  return {kb: (radio || el).getAttribute("data-kb"), ring, html: el.outerHTML.slice(0, 100)};
}
"""

# JavaScript: the state a key press should change, per kind of control (``data-kb`` n).
STATE = """
(n) => {
  const el = document.querySelector(`[data-kb="${n}"]`);
  const player = el.closest(".animation");
  const frame = player && player.querySelector("input[type=range]").value;
  if (el.matches("summary")) return el.parentElement.open;
  if (el.matches("input[type=range]")) return el.value;
  if (player && el.matches("button")) return frame;
  if (el.matches("input[type=radio]")) return el.form.querySelector("input:checked")?.value;
  return [el.scrollLeft, el.scrollTop].join(",");
}
"""

# What operating each kind of control means: the key pressed and the player's button to use.
KEYS = {"summary": ["Enter"], "slider": ["ArrowRight"], "scroller": ["ArrowRight", "ArrowDown"],
        "radio group": ["ArrowRight"]}
PLAYER_BUTTON = "Next frame"


def test_every_control_reachable_and_operable_by_keyboard(site, server):
    """Tab reaches every control of every page's article, each with a visible focus ring; the
    first control of each kind responds to its key (a folded block opens on Enter, a player's
    slider and Next frame button move it, a scrolling table scrolls with the arrow keys)."""
    from playwright.sync_api import sync_playwright

    problems, walked = [], collections.Counter()
    with sync_playwright() as playwright:
        browser = open_browser(playwright)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
        try:
            for path in audited_pages(site):
                tab = context.new_page()
                load(tab, page_url(server, path), "default")
                controls = tab.evaluate(MARK_CONTROLS)
                reached, seen = {}, []
                tab.locator("body").focus()
                for _ in range(3 * len(controls) + 100):  # the header, sidebars and footer too
                    tab.keyboard.press("Tab")
                    focused = tab.evaluate(FOCUSED)
                    if focused is None or (seen and focused["html"] == seen[0]):
                        break  # out of the page, or round again
                    seen.append(focused["html"])
                    if focused["kb"] is not None:
                        reached.setdefault(int(focused["kb"]), focused)
                for n, control in enumerate(controls):
                    walked[control["kind"]] += 1
                    if n not in reached:
                        problems.append(f"{path}: Tab never reaches the {control['kind']} {control['what']!r}")
                    elif not reached[n]["ring"]:
                        problems.append(f"{path}: no visible focus ring on {reached[n]['html']!r}")
                problems += operate_each_kind(tab, path, controls, reached)
                tab.close()
        finally:
            browser.close()
    assert walked, "no control found on any page"
    assert not problems, f"{len(problems)} keyboard problems (controls walked: {dict(walked)}):\n" + "\n".join(problems)


def operate_each_kind(tab, path: str, controls: list, reached: dict) -> list[str]:
    """Press the key of the first reached control of each kind in `KEYS` (and a player's
    `PLAYER_BUTTON`); its state must change."""
    problems, tried = [], set()
    for n, control in enumerate(controls):
        kind = control["kind"]
        if n not in reached:
            continue
        if kind == "button" and control["what"] == PLAYER_BUTTON:
            keys = ["Enter"]
        elif kind in KEYS:
            keys = KEYS[kind]
        else:
            continue
        if (kind, control["what"] == PLAYER_BUTTON) in tried:
            continue
        tried.add((kind, control["what"] == PLAYER_BUTTON))
        tab.locator(f'[data-kb="{n}"]').focus()
        before = tab.evaluate(STATE, n)
        for key in keys:
            tab.keyboard.press(key)
        tab.wait_for_timeout(100)
        after = tab.evaluate(STATE, n)
        if before == after:
            problems.append(f"{path}: {' then '.join(keys)} on the {kind} {control['what']!r} changed nothing "
                            f"({before!r})")
    return problems
