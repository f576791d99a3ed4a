"""The word count of a built page: prose only, and the share of it about engineering."""

from pathlib import Path

from mlp.site import wordcount

ROOT = Path(__file__).resolve().parent.parent

PAGE = """<html><body><nav><p>Navigation words are not counted</p></nav>
<article class="md-content__inner md-typeset">
<h1 id="t">Two words<a class="headerlink" href="#t">¶</a></h1>
<p>The gradient of $l = -\\ln y$ is <code>dz minus target</code>, four more.</p>
<div class="jp-Cell jp-CodeCell"><div class="jp-InputArea-editor"><pre>x = pair(a, b)  # code, not prose</pre></div>
<div class="jp-OutputArea"><pre>printed output words</pre></div></div>
<ul><li>A list item that calls <code>pair</code> here</li></ul>
<p>Math alone: \\(x w + b\\) and $$k = x w$$ done.</p>
<details class="success"><summary>Solution</summary><p>Three folded words</p></details>
</article></body></html>"""


def test_prose_words_leave_out_code_outputs_math_and_the_navigation():
    # "Two words" 2; "The gradient of is four more" 6; "A list item that calls here" 6; "Math alone and done" 4;
    # "Solution" 1 and "Three folded words" 3, folded
    assert [block.words for block in wordcount.blocks(PAGE)] == [2, 6, 6, 4, 1, 3]
    assert wordcount.count(PAGE) == (22, 6, 4)


def test_a_paragraph_is_engineering_when_its_inline_code_names_a_term():
    engineering = [block.engineering for block in wordcount.blocks(PAGE)]
    assert engineering == [False, False, True, False, False, False]


def test_the_learn_pages_are_read_from_the_navigation_in_order():
    pages = wordcount.learn_pages(ROOT / "mkdocs.yml")
    assert pages[0][1] == "gradients.py" and ("Notation", "notation.md") in pages
    assert wordcount.built(Path("site"), "scalar.py") == Path("site/scalar/index.html")
