"""The command line: python -m mlp."""

import subprocess
import sys

import pytest

from mlp import cli, report


def run(*args):
    return subprocess.run([sys.executable, "-m", "mlp", *args], capture_output=True, text=True)


def test_dry_run_prints_the_report_values_and_agrees():
    result = run("dry-run")
    assert result.returncode == 0, result.stderr
    row = "[{:.4f}  {:.4f}]".format(*report.DRY_RUN_GRADS.v[0])  # a row of dv as numpy prints it
    assert result.stdout.count(row) == 9  # 3 rows of dv, in 3 columns
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


def test_train_on_synthetic_data_reports_accuracy(capsys):
    args = ["train", "--dataset", "synth", "--hidden", "3", "--lr", "0.5", "--reduction", "mean",
            "--batch-size", "20", "--epochs", "2", "--quiet"]
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["epoch", "train", "loss", "train", "acc", "val", "loss", "val", "acc", "seconds"]
    assert "validation accuracy:" in out and len(out.splitlines()) == 1 + 3 + 1


def test_experiments_command_prints_the_summary_and_draws_figures(tmp_path, capsys):
    assert cli.main(["experiments", "dry_run", "synthetic_data", "--profile", "quick",
                     "--figures", str(tmp_path), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "dry_run" in out and "55.82% / 56.22%" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["figure2_synthetic_data.svg"]


@pytest.mark.parametrize("args,message", [
    (("train", "--lr", "-1"), "--lr: must be a positive number"),
    (("train", "--dataset", "cifar"), "invalid choice: 'cifar'"),
    (("train", "--batch-size", "0"), "--batch-size: must be a positive integer"),
    (("train", "--init", "he"), "--init: must be a positive number"),
    (("experiments", "figure_99"), "unknown experiment(s) figure_99"),
    (("experiments", "--profile", "medium"), "invalid choice: 'medium'"),
])
def test_bad_training_and_experiment_arguments_exit_2(args, message):
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr


def test_interrupt_exits_130_with_a_message(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "dry_run", interrupted)
    assert cli.main(["dry-run"]) == 130
    assert "interrupted" in capsys.readouterr().err
