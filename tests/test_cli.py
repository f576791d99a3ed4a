"""The command line: python -m mlp."""

import subprocess
import sys

import pytest

from mlp import cli


def run(*args):
    return subprocess.run([sys.executable, "-m", "mlp", *args], capture_output=True, text=True)


def test_dry_run_prints_the_report_values_and_agrees():
    result = run("dry-run")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("[-0.4404  0.4404]") == 9  # 3 rows of dv, in 3 columns
    assert "agree with the report to 4 decimals: yes" in result.stdout


def test_gradcheck_passes_on_a_small_network(capsys):
    assert cli.main(["gradcheck", "--sizes", "5", "4", "3", "--batch", "2"]) == 0
    assert "all below 1e-06: yes" in capsys.readouterr().out


def test_gradcheck_fails_when_the_tolerance_cannot_be_met(capsys):
    assert cli.main(["gradcheck", "--sizes", "5", "4", "3", "--tolerance", "1e-30"]) == 1
    assert "NO" in capsys.readouterr().out


@pytest.mark.parametrize("args,message", [
    ((), "required: COMMAND"),
    (("gradcheck", "--sizes", "2", "0", "3"), "--sizes: must be a positive integer"),
    (("fly",), "invalid choice: 'fly'"),
])
def test_bad_arguments_exit_2_with_a_message(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr
