"""The command line: python -m mlp."""

import subprocess
import sys

import pytest

import mlp
from mlp import cli, recipes, report


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
    args = ["train", "--dataset", "synth", "--n-hid", "3", "--lr", "0.5", "--reduction", "mean",
            "--batch-size", "20", "--epochs", "2", "--quiet"]
    assert cli.main(args) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("synth: training on 60,000 examples, validation on 10,000; network 2-3-2")
    assert out[1].split() == ["epoch", "train", "loss", "train", "acc", "val", "loss", "val", "acc", "seconds"]
    assert out[-1].startswith("validation accuracy:") and len(out) == 1 + 1 + 3 + 1


def test_train_limit_recipe_and_save(tmp_path, capsys):
    """--limit cuts both sets, --recipe report fills the options not given, --save keeps the model."""
    path = tmp_path / "model.npz"
    assert cli.main(["train", "--dataset", "synth", "--limit", "600", "--recipe", "report", "--n-hid", "4",
                     "--epochs", "1", "--quiet", "--save", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("synth: training on 600 examples, validation on 120; network 2-4-2")
    assert f"lr {recipes.REPORT['lr']:g} (sum loss), batch {recipes.REPORT['batch_size']}" in out[0]
    assert out[-1] == f"wrote {path}"
    params = mlp.load(path)
    assert params.sizes == (2, 4, 2)
    _, (xv, yv), _ = mlp.data.load_synth()
    accuracy = float(out[-2].split()[2].rstrip("%")) / 100
    assert mlp.evaluate(xv[:120], yv[:120], params)[1] == pytest.approx(accuracy, abs=5e-5)


def test_the_scalar_form_trains_without_a_batch_size(capsys):
    assert cli.main(["train", "--dataset", "synth", "--form", "scalar", "--n-hid", "3", "--limit", "200",
                     "--epochs", "1", "--quiet"]) == 0
    assert "scalar, lr 0.1 (mean loss), batch 1," in capsys.readouterr().out


def test_a_diverging_run_is_one_line_and_exit_1():
    result = run("train", "--dataset", "synth", "--lr", "1e300", "--limit", "500", "--quiet")
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("mlp train: error: training diverged")
    assert "--on-divergence stop" in result.stderr


def test_on_divergence_stop_prints_the_epochs_before_it(capsys):
    assert cli.main(["train", "--dataset", "synth", "--lr", "1e6", "--limit", "500", "--epochs", "3",
                     "--on-divergence", "stop", "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "mlp train: training diverged at step" in captured.err
    assert "validation accuracy:" in captured.out


def test_gradcheck_prints_its_header_before_the_slow_checks(monkeypatch, capsys):
    seen = []
    real = cli.gradcheck.check_vectorized

    def check_vectorized(*args, **kwargs):
        seen.append(capsys.readouterr().out)
        return real(*args, **kwargs)

    monkeypatch.setattr(cli.gradcheck, "check_vectorized", check_vectorized)
    assert cli.main(["gradcheck", "--sizes", "5", "4", "3"]) == 0
    assert seen and "gradient check, network 5-4-3" in seen[0]


def test_dry_run_prints_no_negative_zero():
    assert "-0.0000" not in run("dry-run").stdout


def test_every_command_has_a_description():
    commands = cli.parser()._subparsers._group_actions[0].choices
    assert {name for name, p in commands.items() if not p.description} == set()


def test_experiments_take_the_command_line_spelling_and_mlp_profile(monkeypatch, capsys):
    monkeypatch.setenv("MLP_PROFILE", "quick")
    assert cli.main(["experiments", "dry-run", "synthetic-data", "--quiet"]) == 0
    assert "55.82% / 56.22%" in capsys.readouterr().out


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
