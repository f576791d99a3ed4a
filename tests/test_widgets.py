"""The site's widgets in a browser: the predict-then-check questions and the nudge figure.

Like tests/test_site.py these run on the site built into ``MLP_SITE_DIR`` (skipped when it
is unset), served on 127.0.0.1 and driven in headless Chromium by Playwright.

- Each kind of question (a number, a shape, a learning rate) answers right and wrong, by
  mouse and by keyboard; a wrong answer shows the hint, the worked answer comes only when
  asked for; the page's verdict is `mlp.quiz.verdict`'s for every typed answer tried.
- The figure's JavaScript (``network.js``) computes what `mlp.scalar` computes, to 1e-12,
  at seeded random networks; the page shows that file as it is served; the figure starts
  at the running example, follows the slider and the arrow keys, and its gradient step is
  `mlp.train.scalar_step`'s.
- No request of any of this leaves 127.0.0.1.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
from urllib.parse import urlsplit

import pytest

from mlp import quiz, scalar, train
from mlp.experiments import synthetic_inside
from test_site import CHROMIUM_ARGS, server, site  # noqa: F401 (fixtures)

NUDGE_PAGE = "nudge/index.html"
# Typed answers tried on every question of that kind, beside the right one written as the page writes it.
TRIED = {quiz.NUMBER: ["0", "-1", "1e3", "abc", "", " 0.5 ", "1/2", "−0.5", "2,5", ".5", "1e-2"],
         quiz.SHAPE: ["(2, 3)", "(3, 2)", "2x3", "2 × 3", "[2,3]", "(2, 3, 4)", "2 by 3", "(32, 3)", ""]}


@pytest.fixture(scope="module")
def questions():
    return quiz.questions()


@pytest.fixture(scope="module")
def where(site, questions) -> dict:
    """Question name -> the page that asks it; every question is asked somewhere."""
    found = {}
    for path in site.pages:
        text = (site.root / path).read_text(encoding="utf-8")
        found.update({name: path for name in questions if f'id="quiz-{name}"' in text})
    missing = sorted(set(questions) - set(found))
    assert not missing, f"questions no page asks: {missing}"
    return found


@pytest.fixture(scope="module")
def browser(site):
    """A Chromium context whose every request is recorded (``context.requests``)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is not installed: pip install -e '.[test]'")
    chromium = os.environ.get("MLP_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.fail("no Chromium found: install it or set MLP_CHROMIUM")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = launched.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
        context.requests = []
        context.on("request", lambda request: context.requests.append(request.url))
        yield context
        launched.close()


@pytest.fixture
def open_page(browser, server):  # noqa: F811
    """``open_page(path)``: a tab on that page, typeset and scripted; it fails the test on a script error."""
    tabs, errors = [], []

    def open_(path):
        tab = browser.new_page()
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
        tab.goto(server + ("" if path == "index.html" else path), wait_until="networkidle")
        tab.wait_for_selector("body[data-mlp-typeset]", state="attached", timeout=60_000)
        tabs.append(tab)
        return tab

    yield open_
    for tab in tabs:
        tab.close()
    assert not errors, f"script errors: {errors}"


def right_answer(question) -> str:
    """The answer typed as a reader would: three significant digits, or the shape."""
    if question.pattern == quiz.SHAPE:
        return "(" + ", ".join(str(int(n)) for n in question.answer) + ")"
    return f"{question.answer[0]:.3g}"


def wrong_answer(question) -> str:
    typed = "(" + ", ".join(str(int(n) + 1) for n in question.answer) + ")" if question.pattern == quiz.SHAPE \
        else f"{2 * question.answer[0] + 1:.3g}"
    assert quiz.verdict(question, typed) == "wrong"
    return typed


def shown(box, part) -> bool:
    return box.locator(f".mlp-quiz-{part}").is_visible()


KINDS = ["dk_3", "shape_dw", "lr_sum"]  # a value of the network, a shape, a learning rate


@pytest.mark.parametrize("name", KINDS)
def test_a_question_by_mouse(name, questions, where, open_page):
    """Wrong: the verdict says so and the hint shows, not the worked answer, until asked for. Right: says so."""
    question, tab = questions[name], open_page(where[name])
    box = tab.locator(f"#quiz-{name}")
    box.scroll_into_view_if_needed()
    assert not shown(box, "hint") and not shown(box, "worked")
    box.locator("input").fill(wrong_answer(question))
    box.get_by_role("button", name="Check").click()
    assert "Not quite" in box.locator(".mlp-quiz-verdict").inner_text()
    assert shown(box, "hint") and not shown(box, "worked")
    box.get_by_role("button", name="Show the worked answer").click()
    assert shown(box, "worked")
    box.locator("input").fill(right_answer(question))
    box.get_by_role("button", name="Check").click()
    assert box.locator(".mlp-quiz-verdict").inner_text().startswith("Right")


@pytest.mark.parametrize("name", KINDS)
def test_a_question_by_keyboard(name, questions, where, open_page):
    """Typed and checked with Enter; the worked answer reached with Tab and opened with Enter."""
    question, tab = questions[name], open_page(where[name])
    box = tab.locator(f"#quiz-{name}")
    field = box.locator("input")
    field.focus()
    tab.keyboard.type(wrong_answer(question))
    tab.keyboard.press("Enter")
    assert "Not quite" in box.locator(".mlp-quiz-verdict").inner_text()
    assert shown(box, "hint") and not shown(box, "worked")
    for _ in range(2):  # the Check button, then the hint's button
        tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.textContent") == "Show the worked answer"
    tab.keyboard.press("Enter")
    assert shown(box, "worked")
    assert tab.evaluate("document.activeElement.classList.contains('mlp-quiz-worked')"), "focus did not move to the answer"
    field.focus()
    tab.keyboard.press("Control+A")
    tab.keyboard.type(right_answer(question))
    tab.keyboard.press("Enter")
    assert box.locator(".mlp-quiz-verdict").inner_text().startswith("Right")


def test_the_pages_verdicts_are_the_packages(questions, where, open_page):
    """For every question and many typed answers, quiz.js decides as mlp.quiz.verdict does."""
    problems, tabs = [], {}
    for name, question in questions.items():
        tab = tabs.get(where[name]) or tabs.setdefault(where[name], open_page(where[name]))
        data = tab.eval_on_selector(f"#quiz-{name}", "box => JSON.parse(box.dataset.quiz)")
        assert data == {"answer": list(question.answer), "tolerance": question.tolerance, "pattern": question.pattern}
        typed = [right_answer(question), wrong_answer(question), *TRIED[question.pattern]]
        if question.pattern == quiz.NUMBER:
            a, tol = question.answer[0], question.tolerance
            typed += [repr(a + 0.9 * tol), repr(a - 0.9 * tol), repr(a + 1.1 * tol), repr(a - 1.1 * tol),
                      repr(a).replace("-", "−")]
        said = tab.evaluate("([data, typed]) => typed.map(t => quizVerdict(data, t))", [data, typed])
        problems += [f"{name}: {t!r}: page {s}, package {quiz.verdict(question, t)}"
                     for t, s in zip(typed, said) if s != quiz.verdict(question, t)]
    assert not problems, "\n".join(problems)


# --- the nudge figure --------------------------------------------------------------------

POINTS = [synthetic_inside.random_point(seed) for seed in range(8)] + \
         [synthetic_inside.random_point(seed, sizes=(3, 4, 5)) for seed in (8, 9)]


def close(got, want, what, problems):
    if isinstance(want, (list, tuple)):
        if len(got) != len(want):
            problems.append(f"{what}: {len(got)} entries, expected {len(want)}")
        for i, (g, w) in enumerate(zip(got, want)):
            close(g, w, f"{what}[{i}]", problems)
    elif not abs(got - want) <= 1e-12 * max(1.0, abs(want)):
        problems.append(f"{what}: JavaScript {got!r}, Python {want!r}")


def test_the_figures_javascript_equals_the_package(open_page):
    """forward, backward, crossEntropy and step of network.js against mlp.scalar and train.scalar_step, to 1e-12."""
    tab, problems = open_page(NUDGE_PAGE), []
    for n, point in enumerate(POINTS):
        x, label, params = point["x"], point["label"], point["params"]
        js = tab.evaluate("""([x, label, p, lr]) => {
            const fwd = forward(x, p), bwd = backward(x, label, p, fwd);
            return {fwd, bwd, loss: crossEntropy(fwd.z, label), stepped: step(p, bwd, lr)};
        }""", [x, label, params._asdict(), 0.5])
        for field in point["forward"]._fields:
            close(js["fwd"][field], getattr(point["forward"], field), f"point {n}: {field}", problems)
        for field in point["backward"]._fields:
            close(js["bwd"][field], getattr(point["backward"], field), f"point {n}: {field}", problems)
        close(js["loss"], point["loss"], f"point {n}: loss", problems)
        stepped = copy.deepcopy(params)
        train.scalar_step(x, label, stepped, 0.5)
        for field in stepped._fields:
            close(js["stepped"][field], getattr(stepped, field), f"point {n}: stepped {field}", problems)
    assert not problems, f"{len(problems)} values differ:\n" + "\n".join(problems[:20])


def test_the_page_shows_the_javascript_it_runs(site, open_page):
    """The listing under "docs/assets/network.js" is the file the page loads, character for character."""
    tab = open_page(NUDGE_PAGE)
    listed = tab.evaluate("""() => {
        const caption = [...document.querySelectorAll('.mlp-source')].find(p => p.textContent === 'docs/assets/network.js');
        const next = caption && caption.closest('.jp-OutputArea-child').nextElementSibling;
        return next && next.querySelector('pre') ? next.querySelector('pre').textContent : null;
    }""")
    loaded = [src for src in tab.evaluate("[...document.scripts].map(s => s.getAttribute('src'))") if src
              and src.endswith("network.js")]
    assert loaded, "the page does not load network.js"
    served = (site.root / NUDGE_PAGE).parent.joinpath(loaded[0]).resolve().read_text()
    assert listed is not None, "no listing of docs/assets/network.js on the page"
    assert listed.strip() == served.strip(), "the page shows other code than the network.js it runs"


def readout_numbers(tab):
    return [float(t) for t in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", tab.locator(".mlp-nudge-readout").inner_text())]


def cell(tab, node):
    return float(tab.locator(f'td[data-node="{node}"]').inner_text())


def test_the_figure_follows_the_slider_and_the_keys(open_page):
    """It starts at the running example; ten presses of → move w_21 by ten steps and every value follows."""
    tab, point = open_page(NUDGE_PAGE), quiz.running_example()
    x, label, params = point["x"], point["label"], copy.deepcopy(point["params"])
    for j, k_j in enumerate(point["forward"].k):
        assert cell(tab, f"k.{j}") == pytest.approx(k_j, rel=5e-3)
    tab.select_option("#mlp-nudge-which", "w.1.0")
    slider = tab.locator("#mlp-nudge-value")
    step = float(slider.get_attribute("step"))
    start = float(slider.input_value())
    slider.focus()
    for _ in range(10):
        tab.keyboard.press("ArrowRight")
    assert float(slider.input_value()) == pytest.approx(start + 10 * step)
    params.w[1][0] = float(slider.input_value())
    fwd = scalar.forward(x, params)
    bwd = scalar.backward(x, label, params, fwd)
    for node, values in (("k", fwd.k), ("h", fwd.h), ("z", fwd.z), ("y", fwd.y), ("dh", bwd.dh), ("dk", bwd.dk)):
        for j, value in enumerate(values):
            assert cell(tab, f"{node}.{j}") == pytest.approx(value, rel=5e-3, abs=1e-4), (node, j)
    loss, _, slope = readout_numbers(tab)[:3]  # l = ..., (... at the start); slope ∂l/∂w₂₁ = ...
    assert loss == pytest.approx(scalar.cross_entropy(fwd.z, label), rel=5e-3)
    assert slope == pytest.approx(bwd.dw[1][0], rel=5e-3)


def test_the_figures_gradient_step_lowers_the_loss_as_the_package_does(open_page):
    tab, point = open_page(NUDGE_PAGE), quiz.running_example()
    lr = tab.eval_on_selector(".mlp-nudge", "figure => JSON.parse(figure.dataset.point).lr")
    params = copy.deepcopy(point["params"])
    before = train.scalar_step(point["x"], point["label"], params, lr)
    after = scalar.cross_entropy(scalar.forward(point["x"], params).z, point["label"])
    tab.get_by_role("button", name="Take a gradient step").click()
    text = tab.locator(".mlp-nudge-readout").inner_text()
    assert "fell" in text
    shown_before, shown_after = [float(t) for t in re.search(r"from (\S+) to (\S+)\. ", text).groups()]
    assert (shown_before, shown_after) == (pytest.approx(before, rel=5e-3), pytest.approx(after, rel=5e-3))
    assert cell(tab, "k.0") == pytest.approx(scalar.forward(point["x"], params).k[0], rel=5e-3)


def test_no_request_leaves_the_machine(browser):
    """Every request the widgets' pages made, loading and in use, went to 127.0.0.1 (run last in this file)."""
    assert browser.requests, "no request was recorded"
    outside = sorted({url for url in browser.requests if urlsplit(url).scheme not in ("data", "blob")
                      and urlsplit(url).hostname != "127.0.0.1"})
    assert not outside, "requests to other hosts:\n" + "\n".join(outside)
