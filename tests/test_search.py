"""Model selection: spaces, inner folds, budgets, resumption, and a real search of the DNA
model that never reads the test split."""

import numpy as np
import optuna
import pandas as pd
import pytest
import yaml

from biodl import sequences, timeseries
from biodl.data import simulate
from biodl.training import search


def test_suggest_draws_ranges_and_choices_and_apply_merges_blocks():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    trial = study.ask()
    space = {"model": {"choices": [{"filters": [8], "kernel_sizes": [5]}]},
             "model.dropout": {"low": 0.1, "high": 0.5},
             "training.epochs": {"low": 2, "high": 4},
             "training.learning_rate": {"low": 1e-4, "high": 1e-2, "log": True}}
    chosen = search.suggest(trial, space)
    assert chosen["model"] == {"filters": [8], "kernel_sizes": [5]}
    assert 0.1 <= chosen["model.dropout"] <= 0.5 and isinstance(chosen["training.epochs"], int)
    assert chosen["training.learning_rate"] == float(f"{chosen['training.learning_rate']:.3g}")
    settings = search.apply({"model": {"filters": [4], "pool_sizes": [2]}, "training": {"patience": 3}}, chosen)
    assert settings["model"] == {"filters": [8], "kernel_sizes": [5], "pool_sizes": [2],
                                 "dropout": chosen["model.dropout"]}
    assert settings["training"]["patience"] == 3 and settings["training"]["epochs"] == chosen["training.epochs"]
    assert search.apply({"model": {"gaf": None}}, {"model.gaf.size": 32}) == {"model": {"gaf": {"size": 32}}}
    with pytest.raises(ValueError, match="'model.units' needs 'choices' or 'low' and 'high'"):
        search.suggest(trial, {"model.units": {"values": [1, 2]}})


def test_inner_folds_hold_out_every_training_sample_once_and_never_the_test_split():
    split = np.array(["train"] * 60 + ["val"] * 15 + ["test"] * 25)
    y = np.repeat([0, 1, 2], 34)[:100]
    folds = search.validation_splits(split, y, "multiclass", search.SearchSettings(folds=3, cv_below=100), seed=1)
    assert len(folds) == 3
    held_out = np.sum([fold == "val" for fold in folds], axis=0)
    assert held_out[:75].tolist() == [1] * 75 and held_out[75:].sum() == 0
    assert all((fold[75:] == "test").all() for fold in folds)
    for fold in folds:  # stratified: each class about a third of its non-test samples
        counts = np.bincount(y[fold == "val"], minlength=3)
        assert counts.min() >= np.bincount(y[:75]).min() // 3 - 1
    large = search.validation_splits(split, y, "multiclass", search.SearchSettings(cv_below=50), seed=1)
    assert len(large) == 1 and (large[0] == split).all()


def _quadratic(settings, split, callbacks):
    x = settings["model"]["x"]
    return -(x - 0.3) ** 2, (x - 0.3) ** 2


SPACE = {"model.x": {"low": 0.0, "high": 1.0}}


def test_a_killed_search_continues_and_reruns_the_trial_cut_off(tmp_path):
    study_path = tmp_path / "study.db"
    budget = search.SearchSettings(trials=6)
    split = [np.array(["train", "val"])]
    calls = []

    def killed_at_trial_3(settings, split, callbacks):
        calls.append(settings["model"]["x"])
        if len(calls) == 4:
            raise KeyboardInterrupt  # what a kill leaves: a trial still marked running
        return _quadratic(settings, split, callbacks)

    with pytest.raises(KeyboardInterrupt):
        search.run_search(killed_at_trial_3, SPACE, {"model": {}}, split, metric="score", settings=budget,
                          seed=4, study_path=study_path)
    result = search.run_search(_quadratic, SPACE, {"model": {}}, split, metric="score", settings=budget, seed=4,
                               study_path=study_path)
    assert result.summary["trials"] == {"complete": 6, "fail": 1}
    rerun = result.trials.loc[result.trials["state"] == "complete", "model.x"].tolist()
    assert rerun[:3] == calls[:3] and rerun[3] == pytest.approx(calls[3])  # the cut-off trial again, first
    uninterrupted = search.run_search(_quadratic, SPACE, {"model": {}}, split, metric="score", settings=budget,
                                      seed=4)
    assert uninterrupted.trials["model.x"].tolist() == rerun  # the same proposals as without the kill
    assert result.chosen["model.x"] == min(rerun, key=lambda x: abs(x - 0.3))
    assert result.settings == {"model": {"x": result.chosen["model.x"]}}


def test_the_given_settings_are_the_first_trial():
    space = {**SPACE, "model": {"choices": [{"w": [1, 2]}, {"w": [3]}]}, "training.rate": {"low": 0.1, "high": 1.0}}
    base = {"model": {"x": 0.7, "w": (3,), "other": 1}, "training": {"rate": 5.0}}  # rate outside the range
    assert search.base_params(space, base) == {"model.x": 0.7, "model": '{"w": [3]}'}
    result = search.run_search(_quadratic, space, base, [np.array(["train", "val"])], metric="score",
                               settings=search.SearchSettings(trials=3), seed=1)
    first = result.trials.iloc[0]
    assert first["model.x"] == 0.7 and first["model"] == '{"w": [3]}'


@pytest.mark.parametrize("others, rule, kept", [
    ((0.9, 0.3, 0.55), "standard_error", True),  # +0.083 on average, but the folds disagree
    ((0.9, 0.3, 0.55), "best", False),
    ((0.6, 0.62, 0.58), "standard_error", False),  # +0.1 on every fold
])
def test_the_configured_settings_are_kept_unless_beaten_by_more_than_the_fold_noise(others, rule, kept):
    folds = [np.array([f"fold{k}"]) for k in range(3)]

    def fold_scores(settings, split, callbacks):
        k = int(split[0][-1])
        return (0.5 if settings["model"]["x"] == 0.7 else others[k] + settings["model"]["x"] / 1000), 0.0

    result = search.run_search(fold_scores, SPACE, {"model": {"x": 0.7}}, folds, metric="score", seed=3,
                               settings=search.SearchSettings(trials=5, pruning=False, selection=rule),
                               epoch_pruning=False)
    assert (result.summary["chosen_trial"] == 0) == kept
    assert (result.chosen["model.x"] == 0.7) == kept
    assert ("kept" in result.summary["selection"]) == kept
    assert result.summary["chosen_value"] == result.trials.set_index("trial").loc[result.summary["chosen_trial"],
                                                                                 "score"]


def test_an_unknown_selection_rule_is_refused():
    with pytest.raises(ValueError, match="search.selection must be 'standard_error' or 'best', got 'top'"):
        search.SearchSettings(selection="top")


def test_time_budget_stops_starting_trials(tmp_path, caplog):
    def slow(settings, split, callbacks):
        import time

        time.sleep(0.05)
        return _quadratic(settings, split, callbacks)

    budget = search.SearchSettings(trials=50, timeout_minutes=0.1 / 60)
    result = search.run_search(slow, SPACE, {"model": {}}, [np.array(["train", "val"])], metric="score",
                               settings=budget, seed=1)
    assert 1 <= result.summary["trials"]["complete"] <= 3
    assert "time budget of" in caplog.text


def test_trials_falling_behind_are_pruned_between_folds():
    def fold_scores(settings, split, callbacks):
        return (1.0 if settings["model"]["x"] > 0.5 else 0.0), 0.0

    budget = search.SearchSettings(trials=16)
    folds = [np.array(["train", "val"])] * 3
    result = search.run_search(fold_scores, SPACE, {"model": {}}, folds, metric="score", settings=budget, seed=2,
                               epoch_pruning=False)
    states = result.trials.set_index("trial")["state"]
    assert (states == "pruned").any()
    pruned = result.trials[result.trials["state"] == "pruned"]
    assert (pruned["model.x"] <= 0.5).all() and pruned["score"].isna().all() and (pruned["pruned_at_step"] >= 1).all()
    assert result.chosen["model.x"] > 0.5


def test_no_completed_trial_is_an_error_that_names_the_budget():
    def always_pruned(settings, split, callbacks):
        raise optuna.TrialPruned()

    with pytest.raises(RuntimeError, match=r"no trial completed within the budget \(2 trials"):
        search.run_search(always_pruned, SPACE, {"model": {}}, [np.array(["train", "val"])], metric="score",
                          settings=search.SearchSettings(trials=2), seed=1)


@pytest.fixture(scope="module")
def dna(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dna")
    simulate.simulate_dna({"CTCF": ["MA0139"], "bg": []}, n_per_class=150, length=60, seed=2).write(
        folder / "s.fa", folder / "s.tsv", folder / "truth.tsv")
    return sequences.prepare(folder / "s.fa", folder / "s.tsv", task="multiclass", seed=1)


SMALL = {"model": {"choices": [{"filters": [8], "kernel_sizes": [15], "pool_sizes": [1]},
                               {"filters": [8, 8], "kernel_sizes": [15, 5], "pool_sizes": [2, 1]}]},
         "training.learning_rate": {"low": 1e-3, "high": 1e-2, "log": True}}


def test_dna_search_is_seeded_scores_inside_the_training_samples_and_never_reads_the_test_split(keras, dna,
                                                                                                 tmp_path):
    settings = {"model": {"dense_units": [8]}, "training": {"epochs": 4, "batch_size": 32},
                "space": SMALL, "budget": {"trials": 3, "cv_below": 1000, "folds": 2, "pruning": False}, "seed": 5}
    first = sequences.search(dna, **settings)
    assert first.summary["scoring"] == "2-fold cross-validation inside the training and validation samples"
    assert len(first.summary["fold_values"]) == 2 and first.summary["trials"] == {"complete": 3}
    scrambled = pd.Series(dna.split).copy()
    test = np.flatnonzero(dna.split == "test")
    x = dna.x.copy()
    x[test] = x[test][:, ::-1, ::-1]  # test inputs and labels changed: the search must not notice
    y = dna.y.copy()
    y[test] = 1 - y[test]
    import dataclasses

    changed = dataclasses.replace(dna, x=x, y=y, split=scrambled.to_numpy())
    second = sequences.search(changed, **settings)
    pd.testing.assert_frame_equal(first.trials.drop(columns="seconds"), second.trials.drop(columns="seconds"))
    assert first.settings["model"]["dense_units"] == [8] and first.settings["training"]["epochs"] == 4
    first.write(tmp_path / "trials.tsv", tmp_path / "summary.json", tmp_path / "best.yaml", "dna")
    text = (tmp_path / "best.yaml").read_text()
    assert text.startswith("# sequences.dna: the searched settings\n"
                           "# chosen by biodl's search on 2-fold cross-validation")
    pinned = yaml.safe_load(text)["sequences"]["dna"]
    assert pinned["model"]["filters"] == first.chosen["model"]["filters"]
    assert pinned["training"]["learning_rate"] == first.chosen["training.learning_rate"]


@pytest.mark.parametrize("length, n_train, sizes", [
    (24, 67, [16, 24]),  # short series: up to their own length
    (150, 50, [16, 24, 32, 48, 64, 96, 128]),
    (1460, 100, [16, 24, 32, 48, 64, 96, 128]),
    (500, 10_000, [16, 24]),  # many series: small images keep an epoch affordable
])
def test_the_series_space_fits_image_sizes_to_length_and_training_set(length, n_train, sizes):
    space = timeseries.search_space(length, n_train)
    assert space["model.gaf_on_the_fly.image_size"]["choices"] == sizes
    assert "model.gaf_on_the_fly.scales" not in space  # multi-scale lost on PigCVP: not offered
    assert space["training"] == timeseries.TIMESERIES_SPACE["training"]
    # the configured settings (no augmentation, 64 px, one scale) are a point of every space
    base = {"model": {"gaf_on_the_fly": {"image_size": min(64, length), "scales": [1]}},
            "training": {"augment_copies": 0, "window_fraction": 1.0, "time_warp": 0.0, "scaling": 0.0,
                         "jitter": 0.0, "learning_rate": 1e-3}}
    params = search.base_params(space, base)
    assert {"training", "training.learning_rate"} <= set(params)
    assert ("model.gaf_on_the_fly.image_size" in params) == (min(64, length) in sizes)
    configured = timeseries.search_space(length, n_train, image_size=50)["model.gaf_on_the_fly.image_size"]
    assert configured["choices"] == sorted(set(sizes) | {min(50, length)})  # the first trial can be it


def test_a_series_search_snippet_puts_the_gaf_cnns_own_training_keys_under_its_overrides():
    chosen = {"model.dropout": 0.3, "training.epochs": 40, "training.learning_rate": 0.01, "training.jitter": 0.1}
    block = timeseries.gaf_cnn_block(search.apply({}, chosen))
    result = search.SearchResult(pd.DataFrame(), {"chosen": chosen}, kind="timeseries", config_block=block)
    keys = result.config_keys("gp")["timeseries"]["gp"]
    assert keys["gaf_cnn"] == {"dropout": 0.3}
    assert keys["training_overrides"] == {"gaf_cnn": {"epochs": 40, "learning_rate": 0.01}}
    assert keys["training"] == {"jitter": 0.1}  # not a key a network may override: the dataset's training
    omics = search.SearchResult(pd.DataFrame(), {"chosen": {"model.beta": 2.0}}, kind="omics")
    assert omics.config_keys("o") == {"omics": {"o": {"model": {"beta": 2.0}}}}
