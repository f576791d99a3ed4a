"""A `mlp.quiz.Question` as HTML: the question, a field to type the answer, and its hint and
worked answer, hidden until asked for.

The answer, its pattern and its tolerance travel in the ``data-quiz`` attribute, for
``docs/assets/quiz.js`` to decide as `mlp.quiz.verdict` does. The numbers shown in the
hint and the worked answer are tagged (`mlp.site.page.number`), so the site's tests check
them too. Executed pages call `mlp.site.page.quiz`; a Markdown page writes
``<!-- mlp-quiz NAME -->`` on a line of its own, and the hooks put the question there.
"""

from __future__ import annotations

import html
import json
import re

from mlp import quiz
from mlp.site.page import number

MARKER = re.compile(r"^<!-- mlp-quiz (\w+) -->$", re.M)


def fill(text: str, question: quiz.Question) -> str:
    """``text`` with each ``{name}`` of the question's values replaced by that number, tagged."""
    return re.sub(r"\{(\w+)\}", lambda m: number(f"quiz.{question.name}.{m.group(1)}", "3g",
                                                 value=question.values[m.group(1)])
                  if m.group(1) in question.values else m.group(), text)


def render(question: quiz.Question) -> str:
    """The question's HTML, in one block (no blank line, so Markdown passes it through as it is)."""
    data = {"answer": list(question.answer), "tolerance": question.tolerance, "pattern": question.pattern}
    field = f"mlp-quiz-{question.name}"
    example = ("like <code>(4, 5)</code>" if question.pattern == quiz.SHAPE
               else "like <code>0.25</code> or <code>-1.5e-2</code>")
    return (
        f'<div class="mlp-quiz admonition question" id="quiz-{question.name}" '
        f'data-quiz="{html.escape(json.dumps(data))}">'
        '<p class="admonition-title">Predict, then check</p>'
        f'<p>{fill(question.prompt, question)}</p>'
        '<p class="mlp-quiz-entry">'
        f'<label for="{field}">Your answer</label> '
        f'<input id="{field}" type="text" autocomplete="off" spellcheck="false" '
        f'aria-describedby="{field}-format"> '
        '<button type="button" class="md-button md-button--primary mlp-quiz-check">Check</button> '
        f'<span id="{field}-format" class="mlp-quiz-format">({example}; Enter checks)</span></p>'
        '<p class="mlp-quiz-verdict" role="status" aria-live="polite"></p>'
        '<div class="mlp-quiz-hint" hidden>'
        f'<p><strong>Hint.</strong> {fill(question.hint, question)}</p>'
        '<p><button type="button" class="md-button mlp-quiz-reveal">Show the worked answer</button></p></div>'
        '<div class="mlp-quiz-worked" hidden tabindex="-1">'
        f'<p><strong>Worked answer.</strong> {fill(question.worked, question)}</p></div>'
        '</div>'
    )


def replace_markers(markdown: str) -> str:
    """A Markdown page's ``<!-- mlp-quiz NAME -->`` lines, each replaced by its question."""
    if not MARKER.search(markdown):
        return markdown
    questions = quiz.questions()

    def one(match):
        if match.group(1) not in questions:
            raise KeyError(f"no question {match.group(1)!r}; the questions are {sorted(questions)}")
        return render(questions[match.group(1)])

    return MARKER.sub(one, markdown)
