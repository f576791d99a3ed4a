"""Bad arguments get a clear error naming them, never a wrong answer."""

import numpy as np
import pytest

import mlp
from mlp import data, gradcheck, scalar, vectorized
from mlp.train import train

PARAMS = mlp.init_params(3, 4, 2, rng=0)
X = np.zeros((5, 3))
LABELS = np.array([0, 1, 0, 1, 1])


@pytest.mark.parametrize("x,labels,error,word", [
    (np.zeros((5, 4)), LABELS, ValueError, "x has 4 features"),
    (np.zeros(3), [0], ValueError, "x must have 2 dimension"),
    (np.full((5, 3), np.nan), LABELS, ValueError, "x contains NaN"),
    (np.array([["a", "b", "c"]]), [0], TypeError, "x must hold real numbers"),
    ([[1, 2, 3], [1, 2]], [0, 1], ValueError, "x must be a rectangular"),
    (X, [0, 1, 0], ValueError, r"labels must have shape \(5,\)"),
    (X, [0, 1, 2, 0, 1], ValueError, r"labels must lie in 0\.\.1"),
    (X, [0, 1, -1, 0, 1], ValueError, "labels must lie"),
    (X, [0.5, 1, 0, 0, 1], TypeError, "labels must be integer"),
    (X, [True, False, True, False, True], TypeError, "labels must be integer"),
    (np.zeros((0, 3)), [], ValueError, "x holds no examples"),
    (np.zeros((5, 3), complex), LABELS, TypeError, "x must hold real numbers"),
    (None, LABELS, TypeError, "x must hold real numbers"),
])
def test_vectorized_gradients_reject_bad_batches(x, labels, error, word):
    with pytest.raises(error, match=word):
        vectorized.gradients(x, labels, PARAMS)


@pytest.mark.parametrize("params,error,word", [
    ((1, 2, 3, 4), TypeError, "params must be an mlp.Params"),
    (PARAMS._replace(b=np.zeros(5)), ValueError, "params shapes"),
    (PARAMS._replace(c=np.zeros((2, 1))), ValueError, "params.c must have 1"),
    (PARAMS._replace(v=np.full((4, 2), np.inf)), ValueError, "params.v contains NaN or inf"),
])
def test_both_forms_reject_bad_params(params, error, word):
    with pytest.raises(error, match=word):
        vectorized.gradients(X, LABELS, params)
    with pytest.raises(error, match=word):
        scalar.gradients([0.0, 0.0, 0.0], 0, params)


@pytest.mark.parametrize("x,label,error,word", [
    ([0.0, 1.0], 0, ValueError, "x has 2 features"),
    ([0.0, float("nan"), 1.0], 0, ValueError, "x contains NaN"),
    ([0.0, 1.0, 2.0], 2, ValueError, "label must lie"),
    ([0.0, 1.0, 2.0], [0, 1], ValueError, "label must be a single"),
    ([0.0, 1.0, 2.0], "0", TypeError, "label must be integer"),
])
def test_scalar_gradients_reject_bad_examples(x, label, error, word):
    with pytest.raises(error, match=word):
        scalar.gradients(x, label, PARAMS)


def test_predict_rejects_a_batch_with_the_wrong_number_of_features():
    with pytest.raises(ValueError, match="x has 4 features"):
        vectorized.predict(np.zeros((5, 4)), PARAMS)


def test_unknown_reduction_is_rejected():
    with pytest.raises(ValueError, match="reduction"):
        vectorized.gradients(X, LABELS, PARAMS, reduction="average")


def test_params_in_a_float_type_the_package_does_not_compute_in_are_rejected():
    half = PARAMS.map(lambda field: field.astype(np.float16))
    with pytest.raises(TypeError, match="params.w's dtype must be float64 or float32, got float16"):
        vectorized.gradients(X, LABELS, half)


@pytest.mark.parametrize("label,error,word", [(1.5, TypeError, "label must be integer"),
                                              (None, TypeError, "label must be integer"),
                                              (True, TypeError, "label must be integer")])
def test_scalar_label_must_be_a_class_index(label, error, word):
    with pytest.raises(error, match=word):
        scalar.gradients([0.0, 1.0, 2.0], label, PARAMS)


# ------------------------------------------------------------------ init_params

@pytest.mark.parametrize("kwargs,error,word", [
    ({"dtype": int}, TypeError, "dtype must be float64 or float32, got int64"),
    ({"dtype": np.float16}, TypeError, "dtype must be float64 or float32, got float16"),
    ({"dtype": "banana"}, TypeError, "dtype must be float64 or float32"),
    ({"scale": np.inf}, ValueError, "scale must be a positive finite number"),
    ({"scale": np.nan}, ValueError, "scale must be a positive finite number"),
    ({"scale": 0}, ValueError, "scale must be a positive finite number"),
    ({"scale": True}, TypeError, "scale must be a positive number"),
    ({"scale": "he"}, ValueError, "scale must be a positive number or one of 'lecun', 'glorot', 'uniform'"),
    ({"rng": -1}, ValueError, "rng must be a non-negative integer seed"),
    ({"rng": "seed"}, TypeError, "rng must be a non-negative integer seed"),
])
def test_init_params_rejects_bad_options(kwargs, error, word):
    with pytest.raises(error, match=word):
        mlp.init_params(3, 4, 2, **{"rng": 0, **kwargs})


@pytest.mark.parametrize("sizes,error,word", [
    ((3.0, 4, 2), TypeError, "n_in must be an integer"), ((3, True, 2), TypeError, "n_hid must be an integer"),
    ((3, -4, 2), ValueError, "n_hid must be an integer >= 1"), ((3, 4, 1), ValueError, "n_out must be an integer >= 2"),
])
def test_init_params_rejects_bad_sizes(sizes, error, word):
    with pytest.raises(error, match=word):
        mlp.init_params(*sizes, rng=0)


# ------------------------------------------------------------------------ train

TRAIN = (np.zeros((4, 3)), [0, 1, 0, 1])


@pytest.mark.parametrize("kwargs,error,word", [
    ({"lr_decay": 0}, ValueError, "lr_decay must be a positive finite number"),
    ({"lr_decay": -1}, ValueError, "lr_decay must be a positive finite number"),
    ({"lr_decay": float("nan")}, ValueError, "lr_decay must be a positive finite number"),
    ({"lr_decay": float("inf")}, ValueError, "lr_decay must be a positive finite number"),
    ({"lr_decay": "0.9"}, TypeError, "lr_decay must be a positive number"),
    ({"lr": float("inf")}, ValueError, "lr must be a positive finite number"),
    ({"lr": True}, TypeError, "lr must be a positive number"),
    ({"epochs": 2.5}, TypeError, "epochs must be an integer >= 0"),
    ({"batch_size": np.float64(4)}, TypeError, "batch_size must be an integer >= 1"),
    ({"seed": -1}, ValueError, "seed must be a non-negative integer seed"),
    ({"form": None}, ValueError, "form must be one of"),
    ({"on_divergence": "ignore"}, ValueError, "on_divergence must be one of 'raise', 'stop'"),
    ({"record_steps": "no"}, TypeError, "record_steps must be True or False"),
    ({"record_epochs": 0}, TypeError, "record_epochs must be True or False"),
    ({"progress": "yes"}, TypeError, "progress must be True or False"),
])
def test_train_rejects_bad_options(kwargs, error, word):
    with pytest.raises(error, match=word):
        train(PARAMS, TRAIN, **{"lr": 0.1, "progress": False, **kwargs})


@pytest.mark.parametrize("train_data,val_data,error,word", [
    ((np.zeros((0, 3)), []), None, ValueError, "train_data holds no examples"),
    (TRAIN, (np.zeros((0, 3)), []), ValueError, "val_data holds no examples"),
    (np.zeros((4, 3)), None, TypeError, r"train_data must be an \(x, labels\) pair, got ndarray"),
    (TRAIN, (np.zeros((4, 3)),), TypeError, r"val_data must be an \(x, labels\) pair, got tuple of length 1"),
    ((np.zeros((4, 2)), [0, 1, 0, 1]), None, ValueError, "x has 2 features"),
    ((np.full((4, 3), np.nan), [0, 1, 0, 1]), None, ValueError, "x contains NaN"),
    (TRAIN, (np.zeros((2, 3)), [0, 2]), ValueError, r"labels must lie in 0\.\.1"),
])
def test_train_rejects_bad_data(train_data, val_data, error, word):
    with pytest.raises(error, match=word):
        train(PARAMS, train_data, val_data, lr=0.1, progress=False)


def test_a_growing_learning_rate_is_allowed():
    _, history = train(PARAMS, TRAIN, lr=0.1, lr_decay=1.5, epochs=2, progress=False)
    assert len(history.train_loss) == 3


# ------------------------------------------------------------------- gradcheck

def loss_of_w(p):
    return float(np.sum(np.asarray(p.w) ** 2))


@pytest.mark.parametrize("kwargs,error,word", [
    ({"eps": 0}, ValueError, "eps must be a positive finite number"),
    ({"eps": float("nan")}, ValueError, "eps must be a positive finite number"),
    ({"eps": -1e-5}, ValueError, "eps must be a positive finite number"),
    ({"entries": 0}, ValueError, "entries must be an integer >= 1"),
    ({"entries": 2.5}, TypeError, "entries must be an integer"),
    ({"rng": "x"}, TypeError, "rng must be a non-negative integer seed"),
])
def test_numerical_gradients_reject_bad_options(kwargs, error, word):
    with pytest.raises(error, match=word):
        gradcheck.numerical_gradients(loss_of_w, PARAMS, **kwargs)


def test_numerical_gradients_reject_a_loss_that_is_no_function_and_params_that_are_none():
    with pytest.raises(TypeError, match="loss must be a function"):
        gradcheck.numerical_gradients(1.0, PARAMS)
    with pytest.raises(TypeError, match="params must be an mlp.Params"):
        gradcheck.numerical_gradients(loss_of_w, (1, 2, 3, 4))


def test_relative_error_refuses_to_broadcast():
    with pytest.raises(ValueError, match=r"analytic and numerical must have one shape, got \(2,\) and \(1,\)"):
        gradcheck.relative_error([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="one shape"):
        gradcheck.compare(PARAMS, PARAMS._replace(w=PARAMS.w[:1]))
    with pytest.raises(TypeError, match="numerical must be an mlp.Params"):
        gradcheck.compare(PARAMS, list(PARAMS))


def test_gradient_checks_pass_their_checks_on():
    with pytest.raises(ValueError, match="eps"):
        gradcheck.check_vectorized(X, LABELS, PARAMS, eps=0)
    with pytest.raises(ValueError, match="x has 2 features"):
        gradcheck.check_scalar([0.0, 1.0], 0, PARAMS)


# ------------------------------------------------------------------- data sets

@pytest.mark.parametrize("kwargs,error,word", [
    ({"seed": -1}, ValueError, "seed must be an integer >= 0"),
    ({"seed": 2**32}, ValueError, "seed must be below 2\\*\\*32"),
    ({"seed": 1.5}, TypeError, "seed must be an integer"),
    ({"num_train": 10.0}, TypeError, "num_train must be an integer"),
])
def test_load_synth_rejects_bad_arguments(kwargs, error, word):
    with pytest.raises(error, match=word):
        data.load_synth(**{"num_train": 10, "num_val": 5, **kwargs})


@pytest.mark.parametrize("kwargs,error,word", [
    ({"final": "no"}, TypeError, "final must be True or False"),
    ({"final": 0}, TypeError, "final must be True or False"),
    ({"dtype": np.float16}, TypeError, "dtype must be float64 or float32"),
    ({"data_dir": 5}, TypeError, "data_dir must be a folder"),
    ({"standardize": None}, ValueError, "standardize must be one of 'global', 'pixel'"),
])
@pytest.mark.parametrize("load", [data.load_mnist, data.load_fashion_mnist])
def test_image_loaders_reject_bad_arguments_before_reading_a_file(load, kwargs, error, word, tmp_path):
    with pytest.raises(error, match=word):
        load(**{"data_dir": tmp_path, **kwargs})


# ----------------------------------------------------------------- derivations

@pytest.mark.parametrize("K,error", [(1, ValueError), (2.0, TypeError), (True, TypeError), ("3", TypeError)])
def test_derivations_need_a_whole_number_of_classes(K, error):
    from mlp import derivations

    with pytest.raises(error, match=r"K \(the number of classes\) must be an integer >= 2"):
        derivations.softmax_jacobian(K)


def test_network_gradients_check_the_point():
    from mlp import derivations, report

    network = derivations.network_gradients()
    point = {"x": report.DRY_RUN_X, "label": report.DRY_RUN_LABEL, "params": report.DRY_RUN_PARAMS}
    cases = [
        ({"x": [1, -1, 0]}, ValueError, r"x must hold 2 values"),
        ({"params": report.DRY_RUN_PARAMS._replace(b=[0, 0])}, ValueError, r"b must hold 3 values"),
        ({"params": report.DRY_RUN_PARAMS._replace(v=np.full((3, 2), np.nan))}, ValueError, "v contains NaN"),
        ({"params": tuple(report.DRY_RUN_PARAMS)}, TypeError, "params must be an mlp.Params"),
        ({"label": 2}, ValueError, r"label must lie in 0\.\.1"),
        ({"label": True}, TypeError, "label must be integer"),
        ({"label": [0]}, ValueError, "label must be a single class index"),
    ]
    for change, error, word in cases:
        with pytest.raises(error, match=word):
            network.evaluate(**{**point, **change})


# ------------------------------------------------- Params arithmetic and sizes

@pytest.mark.parametrize("other,error,word", [
    (PARAMS._replace(w=np.zeros((4, 4))), ValueError, r"same shapes: w is \(3, 4\) on the left, \(4, 4\)"),
    (np.zeros((3, 4)), TypeError, "Params \\+ needs another Params"),
    ("w", TypeError, "Params \\+ needs another Params"),
])
def test_params_arithmetic_needs_params_of_the_same_shapes(other, error, word):
    with pytest.raises(error, match=word):
        PARAMS + other
    with pytest.raises(error, match=word.replace("\\+", "-")):
        PARAMS - other


@pytest.mark.parametrize("scale", ["2", PARAMS, np.ones(3), True])
def test_params_multiply_only_by_a_number(scale):
    with pytest.raises(TypeError, match="multiplied only by a number"):
        PARAMS * scale


def test_sizes_of_malformed_params_name_the_field():
    with pytest.raises(ValueError, match=r"params.w must have 2 dimensions, got shape \(3,\)"):
        PARAMS._replace(w=np.zeros(3)).sizes


# ------------------------------------------------ networks no softmax can train

@pytest.mark.parametrize("params,sizes", [
    (mlp.Params(np.zeros((3, 0)), np.zeros(0), np.zeros((0, 2)), np.zeros(2)), "3-0-2"),
    (mlp.Params(np.zeros((3, 4)), np.zeros(4), np.zeros((4, 1)), np.zeros(1)), "3-4-1"),
])
def test_a_hand_built_network_without_hidden_units_or_with_one_class_is_refused(params, sizes):
    with pytest.raises(ValueError, match=f"n_hid >= 1 and n_out >= 2, got sizes {sizes}"):
        vectorized.gradients(X, np.zeros(5, int), params)
    with pytest.raises(ValueError, match=sizes):
        train(params, (X, np.zeros(5, int)), lr=0.1, progress=False)


# ------------------------------------------------------------- train's sizes

def test_a_batch_larger_than_the_data_is_cut_to_it():
    """batch_size=10**8 on 4 rows: one full batch per epoch, as batch_size=4 (no buffer of 10**8 rows)."""
    huge, _ = train(PARAMS, TRAIN, lr=0.1, batch_size=10**8, epochs=2, progress=False)
    whole, _ = train(PARAMS, TRAIN, lr=0.1, batch_size=4, epochs=2, progress=False)
    assert all(np.array_equal(a, b) for a, b in zip(huge, whole))


@pytest.mark.parametrize("val_data,error,word", [
    ((np.zeros((2, 4)), [0, 1]), ValueError, "val_data: x has 4 features"),
    ((np.zeros((2, 3)), [0, 5]), ValueError, r"val_data: labels must lie in 0\.\.1"),
    ((np.zeros((2, 3)), [0.5, 1]), TypeError, "val_data: labels must be integer"),
])
def test_bad_validation_data_is_named(val_data, error, word):
    with pytest.raises(error, match=word):
        train(PARAMS, TRAIN, val_data, lr=0.1, progress=False)


# ------------------------------------------------ strings where lists belong

def test_a_string_is_no_list_of_reductions_or_experiment_names():
    from mlp import exercises, experiments

    with pytest.raises(TypeError, match=r"reductions must be a list, got the string 'sum' \(write \['sum'\]"):
        exercises.check(vectorized.backward, reductions="sum")
    with pytest.raises(TypeError, match=r"names must be a list, got the string 'dry_run'"):
        experiments.run("dry_run", "tiny")


@pytest.mark.parametrize("jobs,error", [("2", TypeError), (0, ValueError), (2.0, TypeError)])
def test_run_checks_jobs_as_sweep_does(jobs, error):
    from mlp import experiments

    with pytest.raises(error, match=f"jobs must be an integer >= 1, got {jobs!r}"):
        experiments.run(["dry_run"], "tiny", jobs=jobs)


# ------------------------------------------------------------------ init_params

@pytest.mark.parametrize("kwargs,error,word", [
    ({"rng": True}, TypeError, "rng must be a non-negative integer seed or a numpy.random.Generator, got True"),
    ({"scale": 1e308}, ValueError, "scale 1e\\+308 is too large: the weights overflow float64"),
    ({"scale": 1e39, "dtype": np.float32}, ValueError, "the weights overflow float32"),
])
def test_init_params_refuses_a_boolean_seed_and_overflowing_weights(kwargs, error, word):
    with pytest.raises(error, match=word):
        mlp.init_params(3, 4, 2, **{"rng": 0, **kwargs})


# ------------------------------------------------------------ saved parameters

def test_saved_parameters_load_back_equal(tmp_path):
    mlp.save(tmp_path / "model.npz", PARAMS.asarrays(np.float32))
    loaded = mlp.load(tmp_path / "model.npz")
    assert all(a.dtype == np.float32 and np.array_equal(a, b) for a, b in zip(loaded, PARAMS.asarrays(np.float32)))


def test_a_file_of_the_wrong_kind_or_shape_is_refused(tmp_path):
    np.savez(tmp_path / "other.npz", weights=np.zeros(3))
    with pytest.raises(ValueError, match="other.npz is not a parameters file written by mlp.save: it holds weights"):
        mlp.load(tmp_path / "other.npz")
    np.savez(tmp_path / "shapes.npz", format=np.array("mlp-params-1"), **PARAMS._replace(b=np.zeros(5))._asdict())
    with pytest.raises(ValueError, match="shapes.npz: params shapes do not fit together"):
        mlp.load(tmp_path / "shapes.npz")
    np.save(tmp_path / "pickled.npy", np.array([{"w": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="pickled.npy is not a parameters file"):
        mlp.load(tmp_path / "pickled.npy")
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(ValueError, match="text.npz is not a parameters file"):
        mlp.load(tmp_path / "text.npz")


def test_evaluate_checks_its_arguments():
    with pytest.raises(ValueError, match="x has 4 features"):
        mlp.evaluate(np.zeros((5, 4)), LABELS, PARAMS)
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.1"):
        mlp.evaluate(X, [0, 1, 2, 0, 1], PARAMS)


# ---------------------------------------------------------------- command line

def command(*args, env=None):
    import os
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "mlp", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("args,message", [
    (("train", "--seed", "-1"), "argument --seed: must be an integer >= 0, got -1"),
    (("gradcheck", "--seed", "-1"), "argument --seed: must be an integer >= 0, got -1"),
    (("train", "--init", "he"), "argument --init: must be a positive number or one of lecun, glorot, uniform, got he"),
    (("train", "--init", "xavier"), "argument --init: 'xavier' is ambiguous: use 'lecun'"),
    (("gradcheck", "--tolerance", "-1"), "argument --tolerance: must be a positive number, got -1"),
    (("gradcheck", "--tolerance", "nan"), "argument --tolerance: must be a positive number, got nan"),
    (("sweep", "--dataset", "synth", "--lr", "0.1,,0.2"), "--lr: an empty item in the comma-separated list"),
    (("sweep", "--dataset", "synth", "--limit", "0"), "argument --limit: must be a positive integer, got 0"),
    (("sweep", "--dataset", "synth", "--jobs", "0"), "argument --jobs: must be a positive integer, got 0"),
])
def test_bad_options_are_one_line_naming_the_option_and_exit_2(args, message):
    result = command(*args)
    assert result.returncode == 2 and message in result.stderr
    assert message in result.stderr.strip().splitlines()[-1]  # after the usage, one line


def test_a_bad_mlp_profile_is_refused():
    result = command("experiments", "dry_run", env={"MLP_PROFILE": "bogus"})
    assert result.returncode == 2
    assert "MLP_PROFILE must be one of full, quick, tiny, got 'bogus'" in result.stderr


@pytest.mark.parametrize("args", [("sweep", "--dataset", "synth", "--lr", "0.5", "--seeds", "1", "--limit", "100"),
                                  ("experiments", "scalar_sgd", "--profile", "tiny")])
def test_a_results_folder_that_is_a_file_is_named_with_its_variable(tmp_path, args):
    folder = tmp_path / "results"
    folder.write_text("")
    result = command(*args, "--quiet", env={"MLP_RESULTS_DIR": str(folder)})
    assert result.returncode == 2, result.stderr
    assert f"the results folder {folder} cannot be used (a file, not a folder): set MLP_RESULTS_DIR" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_sweep_leaves_no_lock_files(tmp_path, monkeypatch):
    from mlp.experiments import sweep

    monkeypatch.setenv("MLP_RESULTS_DIR", str(tmp_path))
    sweep({"lr": [0.5, 1.0]}, seeds=2, dataset="synth", limit=100, jobs=1, progress=False)
    assert len(list(tmp_path.glob("run-*.npz"))) == 4
    assert list(tmp_path.glob(".*.lock")) == []
