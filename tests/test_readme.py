"""README.md stays true: its "Use" code runs as written, its command lines parse, its
commands install what they use, and the numbers it states are the package's."""

import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from mlp import cli, recipes, train

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)\n```", text, flags=re.S)


def test_the_use_section_runs_as_written(tmp_path):
    """Its code blocks, one after the other, in a fresh interpreter in an empty folder."""
    code = "\n".join(blocks(section("Use"), "python"))
    assert "mlp.train.train(" in code and "mlp.predict(" in code and "mlp.save(" in code
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert 0.5 < float(result.stdout.split()[0]) <= 1.0  # the held-out accuracy it prints
    assert (tmp_path / "model.npz").exists()


def synopsis_lines() -> list[str]:
    """Every ``python -m mlp`` line of the Command line and Sweeps sections, continuations joined."""
    text = "\n".join(blocks(section("Command line"), "text") + blocks(section("Sweeps"), "text"))
    text = text.replace("\\\n", " ")
    return [line.split("#")[0].split("python -m mlp", 1)[1] for line in text.splitlines() if "python -m mlp" in line]


def variants(line: str) -> list[list[str]]:
    """The argument lists a synopsis line stands for: brackets opened, ``A|B`` taken one at a time."""
    words = [w for w in shlex.split(line.replace("[", " ").replace("]", " ")) if w not in ("NAME", "...")]
    alternatives = next((i for i, w in enumerate(words) if "|" in w), None)
    if alternatives is None:
        return [words]
    return [v for choice in words[alternatives].split("|")
            for v in variants(" ".join(words[:alternatives] + [choice] + words[alternatives + 1:]))]


def test_every_command_line_in_the_readme_parses():
    parser = cli.parser()
    seen = set()
    for line in synopsis_lines():
        for args in variants(line):
            try:
                parsed = parser.parse_args(args)
            except SystemExit:
                pytest.fail(f"README's `python -m mlp {' '.join(args)}` does not parse")
            seen.add(parsed.command)
    assert seen == set(parser._subparsers._group_actions[0].choices)  # every command is shown


def test_the_recipes_and_the_divergence_rule_are_the_packages():
    text = " ".join(section("Command line").split())
    default, report = recipes.DEFAULT, recipes.REPORT
    assert f"learning rate {default['lr']:g}, batches of {default['batch_size']})" in text
    assert (f"learning rate {report['lr']:g}, batches of {report['batch_size']}, {report['epochs']} epochs)"
            in text)
    assert (default["reduction"], default["init"], report["reduction"], report["init"]) == ("mean", "lecun", "sum", 1.0)
    assert {1_000: "a thousand times"}[train.DIVERGENCE_FACTOR] in text


def test_readme_gives_two_commands_whose_extras_exist():
    """The site command installs the docs extra and serves; the test command installs the test extra and runs pytest."""
    site, tests = blocks(README, "sh")
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert "pip install -q -e '.[docs]'" in site and site.endswith("mkdocs serve")
    assert "pip install -q -e '.[test]'" in tests and tests.endswith("-m pytest")
    assert any(d.startswith("mkdocs") for d in extras["docs"]) and any(d.startswith("pytest") for d in extras["test"])
