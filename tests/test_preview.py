"""The preview's decisions and texts, and the background trainer's status, without a server."""

from __future__ import annotations

import pytest

from mlp.experiments import background, mnist
from mlp.experiments.profiles import sized
from mlp.experiments.estimates import expected_cost
from mlp.experiments.runs import Run
from mlp.site import preview


@pytest.mark.parametrize("command, forced, stored_all, want", [
    ("serve", None, False, ("quick", True)),  # cold cache: a preview
    ("serve", None, True, ("full", False)),  # warm cache: the full site at once
    ("build", None, False, ("full", False)),  # a build blocks and builds the full profile
    ("gh-deploy", None, False, ("full", False)),
    ("serve", "full", False, ("full", False)),  # MLP_PROFILE forces
    ("build", "quick", False, ("quick", False)),
])
def test_only_serve_previews_and_only_unforced_on_a_cold_cache(command, forced, stored_all, want):
    assert preview.choose(command, forced, stored_all) == want


def test_a_build_refuses_to_publish_a_notice(monkeypatch):
    monkeypatch.setattr(preview.STATE, "command", "build")
    with pytest.raises(RuntimeError):
        preview.add_notice('<article class="md-content__inner md-typeset">x</article>', None)


def test_the_notice_says_the_profile_the_counts_and_the_time_left(monkeypatch):
    monkeypatch.setattr(preview.STATE, "command", "serve")
    state = background.status("full", done=3, total=40, complete=False, seconds_left=300, running=[])
    page = preview.add_notice('<article class="md-content__inner md-typeset"><h1>T</h1></article>', state)
    assert page.index('id="mlp-preview"') < page.index("<h1>")
    assert "quick profile" in page and "3 of at least 40 runs done" in page and "about 5 minutes left" in page
    done = background.status("full", done=40, total=40, complete=True, seconds_left=20, running=[])
    assert "40 of 40 runs done, under a minute left" in preview.notice(done)


def test_the_estimate_shares_runs_out_waits_for_the_longest_and_follows_the_measured_pace():
    a, b, trained = Run(epochs=1), Run(epochs=2), Run(epochs=3)
    both = background.estimate([a, b], jobs=1)
    assert both == pytest.approx(background.estimate([a], jobs=1) + background.estimate([b], jobs=1))
    assert background.estimate([b], jobs=1) > background.estimate([a], jobs=1) > 0  # two epochs take longer
    assert background.estimate([a] * 4, jobs=2) == pytest.approx(2 * background.estimate([a], jobs=1))  # two each
    assert background.estimate([a, b], jobs=2) == pytest.approx(background.estimate([b], jobs=1))  # the longer one's
    assert background.estimate([], jobs=2) == 0
    # the runs trained so far took three times what was expected of them: so will the rest
    slow = {trained: 3 * expected_cost(trained)}
    assert background.estimate([a, b], slow, jobs=1) == pytest.approx(3 * both)
    assert background.estimate([a, b], {trained: expected_cost(trained)}, jobs=1) == pytest.approx(both)
    assert background.estimate([a, b], {trained: 0.0}, jobs=1) == pytest.approx(both)  # nothing measured yet


def test_the_progress_line_names_counts_estimate_and_current_run():
    state = background.status("full", 2, 10, True, 125, [Run(seed=4)])
    line = background.progress_line(state)
    assert "2 of 10 runs done" in line and "about 2 minutes left" in line and "seed 4" in line
    assert "all 10 runs done" in background.progress_line(background.status("full", 10, 10, True, 0, []))


def test_the_survey_counts_stored_runs_and_knows_when_followups_are_unknown(needs_data, tmp_path, monkeypatch):
    from mlp import experiments

    monkeypatch.setenv("MLP_RESULTS_DIR", str(tmp_path))
    cold = background.survey("tiny", ["final_model"])
    assert cold["done"] == 0 and not cold["complete"] and not cold["finished"]
    # the estimate counts the runs a choice will add, as long as the real choice's
    planned, foreseen = mnist.final_model_runs("tiny"), background.foreseen("tiny", ["final_model"])
    assert foreseen == set(mnist.tuned_final_runs("tiny", sized(mnist.TUNED_CANDIDATES[0], "tiny")))
    assert cold["seconds_left"] == pytest.approx(background.estimate([*planned, *foreseen]))
    experiments.run(["final_model"], "tiny", progress=False)
    warm = background.survey("tiny", ["final_model"])
    assert warm["complete"] and warm["finished"] and warm["done"] == warm["total"] > cold["total"]
    chosen = set(mnist.chosen_runs("tiny", background._load_only))
    assert {expected_cost(run) for run in chosen} == {expected_cost(run) for run in foreseen}


def test_the_trainers_status_estimates_the_foreseen_runs_until_they_are_known(needs_data, tmp_path, monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setenv("MLP_RESULTS_DIR", str(tmp_path))
    asked = set(mnist.final_model_runs("tiny"))
    trainer = SimpleNamespace(asked=asked, waiting=lambda: list(asked), trained={}, jobs=2, complete=False,
                              running=lambda: [])
    foreseen = background.foreseen("tiny")
    assert foreseen and not foreseen <= asked
    state = background.of_trainer("tiny", trainer)
    assert state["total"] == len(asked)  # the count names only the runs known
    assert state["seconds_left"] == pytest.approx(background.estimate([*asked, *(foreseen - asked)], jobs=2))
    trainer.complete = True
    assert background.of_trainer("tiny", trainer)["seconds_left"] == pytest.approx(
        background.estimate(list(asked), jobs=2))


def test_expected_costs_follow_the_network_and_the_float_type():
    mnist_run = Run(dataset="mnist", n_hid=300, batch_size=100)
    small = Run(dataset="synth", n_hid=8, batch_size=100)
    assert expected_cost(small) < expected_cost(mnist_run) / 20  # 2-8-10 against 784-300-10 weights
    assert expected_cost(mnist_run.replace(dtype="float32")) < 0.6 * expected_cost(mnist_run)


def test_the_reporter_writes_the_status_and_signals_the_server_at_most_every_refresh(tmp_path, monkeypatch):
    import io

    monkeypatch.setenv("MLP_RESULTS_DIR", str(tmp_path))
    out = io.StringIO()
    reporter = background.Reporter("tiny", refresh=3600, out=out)
    reporter.report(background.status("tiny", 1, 5, True, 10, []))
    assert background.read("tiny")["done"] == 1 and (background.signal_dir() / "rebuild").exists()
    (background.signal_dir() / "rebuild").unlink()
    reporter.report(background.status("tiny", 2, 5, True, 5, []))
    assert background.read("tiny")["done"] == 2 and not (background.signal_dir() / "rebuild").exists()
    reporter.report(background.status("tiny", 5, 5, True, 0, []), now=True)
    assert (background.signal_dir() / "rebuild").exists() and "all 5 runs done" in out.getvalue()


def test_the_server_rebuilds_on_the_signal_only_not_on_each_status(tmp_path, monkeypatch):
    """MkDocs rebuilds on any change under a watched folder: a status written there after
    every finished run would rebuild (and reload the browser) each time, not every refresh."""
    from pathlib import Path
    from types import SimpleNamespace

    monkeypatch.setenv("MLP_RESULTS_DIR", str(tmp_path))
    watched = []
    preview.watch(SimpleNamespace(watch=watched.append), None, delay=0)

    def seen(path: Path) -> bool:
        return any(path.resolve().is_relative_to(Path(folder).resolve()) for folder in watched)

    status = background.write(background.status("tiny", 1, 5, True, 10, []))
    assert status.exists() and not seen(status)
    assert not any(seen(path) for path in tmp_path.rglob("*") if path.is_file())  # nor its temporary file
    background.touch()
    assert any(seen(path) for path in tmp_path.rglob("*") if path.is_file())


def test_the_timings_tables_list_experiments_with_runs_the_command_and_each_page():
    from mlp.experiments import build_times

    data = {"jobs": 2, "runs": 3, "trained": 2, "wall_seconds": 9.0, "train_seconds": 16.0,
            "evaluate_seconds": 3.0, "load_seconds": 1.0,
            "experiments": {"dry_run": {"runs": 0, "trained": 0, "train_seconds": 0},
                            "mnist_sgd": {"runs": 3, "trained": 2, "train_seconds": 16.0, "evaluate_seconds": 3.0,
                                          "load_seconds": 1.0},
                            "fashion": {"runs": 1, "trained": 1, "train_seconds": 2.0}},  # an older record
            "pages": {"index.py": 4.5, "api.py": 0.0}, "kernels": {"index.py": 1.5, "api.py": 0.0},
            "longest": {"run": "mnist vectorized B=1", "train_seconds": 6.0, "evaluate_seconds": 1.0,
                        "load_seconds": 0.5},
            "pages_wall_seconds": 4.6, "pages_at_once": 3}
    header, rows = build_times.rows(data)
    assert len(header) == 4
    assert rows == [["mnist_sgd (2 of 3)", 16.0, 3.0, 1.0], ["fashion (1 of 1)", 2.0, None, None],
                    ["all, summed: the CPU time (2 of 3)", 16.0, 3.0, 1.0],
                    ["the longest run, the critical path: `mnist vectorized B=1`", 6.0, 1.0, 0.5],
                    ["wall time, 2 processes", 9.0, None, None]]
    header, rows = build_times.page_rows(data)
    assert len(header) == 3
    assert rows == [["index.py", 4.5, 1.5], ["api.py", 0.0, 0.0], ["wall time, 3 at a time", 4.6, None]]


def test_the_record_names_the_run_that_took_longest_training_evaluating_and_loading():
    from types import SimpleNamespace

    from mlp.experiments import build_times

    a, b, c = Run(seed=1), Run(seed=2, batch_size=1), Run(seed=3)
    trainer = SimpleNamespace(asked={a, b, c}, trained={a: 5.0, b: 4.0, c: 1.0}, evaluated={a: 0.5, b: 2.0},
                              loaded={c: 4.4}, jobs=2, fetch=lambda runs: [])
    longest = build_times.record(["dry_run"], "quick", trainer, 7.0)["longest"]
    assert longest == {"run": background.describe(b), "train_seconds": 4.0, "evaluate_seconds": 2.0,
                       "load_seconds": 0.0}
