import logging

import numpy as np
import pandas as pd
import pytest

from biodl import io, omics
from biodl.data.simulate import simulate_omics
from biodl.omics import OmicPreprocessor, align_samples, preprocess_omics


def table_of(samples, features=3, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(size=(len(samples), features)), index=samples,
                        columns=[f"f{i}" for i in range(features)])


def test_alignment_masks_missing_omics_and_counts(caplog):
    labels = pd.Series(["a", "b", "a", "b"], index=["s1", "s2", "s3", "s4"])
    tables = {"rna": table_of(["s1", "s2", "s3", "x9"]), "protein": table_of(["s2", "s3"])}
    with caplog.at_level(logging.WARNING):
        samples, mask, report = align_samples(tables, labels)
    assert samples == ["s1", "s2", "s3"]  # s4 has no omic
    assert mask.loc["s1"].tolist() == [True, False]
    assert report["samples_per_omic"] == {"rna": 3, "protein": 2}
    assert report["samples_in_every_omic"] == 2 and report["left_out"] == 1
    assert "1 samples of omic 'rna' have no label" in caplog.text
    complete, _, _ = align_samples(tables, labels, complete_cases=True)
    assert complete == ["s2", "s3"]
    with pytest.raises(io.InputError, match="omic 'rna' shares no sample id"):
        align_samples({"rna": table_of(["x1", "x2"])}, labels)


def test_preprocessing_uses_training_samples_only():
    samples = [f"s{i}" for i in range(6)]
    table = table_of(samples, features=5)
    table.loc["s5"] = 1000.0  # an outlier in the test split must not move the scaling
    train = np.array([True] * 4 + [False] * 2)
    mask = pd.DataFrame({"rna": [True] * 6}, index=samples)
    arrays = preprocess_omics({"rna": table}, samples, mask, train, {"rna": OmicPreprocessor(top_k=2)})
    assert arrays["rna"].shape == (6, 2)
    np.testing.assert_allclose(arrays["rna"][train].mean(axis=0), 0, atol=1e-6)
    np.testing.assert_allclose(arrays["rna"][train].std(axis=0), 1, atol=1e-5)
    assert arrays["rna"][5].min() > 100


def test_minmax_and_missing_rows_stay_zero():
    samples = ["a", "b", "c"]
    table = pd.DataFrame({"cg1": [0.1, 0.9, 0.5]}, index=samples)
    mask = pd.DataFrame({"meth": [True, True, False]}, index=samples)
    arrays = preprocess_omics({"meth": table.loc[["a", "b"]]}, samples, mask, np.array([True, True, False]),
                              {"meth": OmicPreprocessor(scaling="minmax")})
    np.testing.assert_allclose(arrays["meth"][:, 0], [0, 1, 0])
    with pytest.raises(ValueError, match="scaling must be one of"):
        OmicPreprocessor(scaling="zscore")


@pytest.fixture(scope="module")
def simulated_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("omics")
    simulated = simulate_omics(n_per_subtype=30, missing_fraction=0.1, seed=1)
    simulated.write(folder / "labels.tsv", **{name: folder / f"{name}.tsv" for name in simulated.omics})
    return folder


def test_prepare_reads_tables_with_their_settings(simulated_files):
    specs = {"mrna": {"path": simulated_files / "mrna.tsv", "top_k": 20},
             "methylation": {"path": simulated_files / "methylation.tsv", "scaling": "minmax"}}
    dataset = omics.prepare(specs, simulated_files / "labels.tsv", seed=2)
    assert dataset.report["features"] == {"mrna": 20, "methylation": 150}
    assert dataset.report["split_counts"] == {"train": 63, "val": 9, "test": 18}
    assert dataset.arrays["methylation"][dataset.split == "train"].max() == pytest.approx(1.0)
    with pytest.raises(ValueError, match=r"omic 'mrna': unknown settings \['topk'\]"):
        omics.prepare({"mrna": {"path": simulated_files / "mrna.tsv", "topk": 5}}, simulated_files / "labels.tsv")
    with pytest.raises(io.InputError, match="no label column 'cancer'"):
        omics.prepare(specs, simulated_files / "labels.tsv", label_column="cancer")


def test_model_names():
    assert omics.model_kind("joint_vae_supervised") == {"integration": "joint", "variational": True,
                                                        "supervised": True}
    assert omics.model_kind("early_ae") == {"integration": "early", "variational": False, "supervised": False}
    with pytest.raises(ValueError, match="omics model 'late_vae'"):
        omics.model_kind("late_vae")


def test_train_and_evaluate_beside_pca(simulated_files, keras):
    specs = {name: {"path": simulated_files / f"{name}.tsv"} for name in ("mrna", "mirna", "methylation")}
    datasets = {seed: omics.prepare(specs, simulated_files / "labels.tsv", seed=seed) for seed in (1, 2)}
    models = {}
    for name in ("joint_vae", "early_ae_supervised"):
        for seed, dataset in datasets.items():
            models[(name, seed)], _ = omics.train(dataset, name, model={"latent_dim": 3, "hidden": [16]},
                                                  training={"epochs": 3}, seed=seed)
    assert models[("early_ae_supervised", 1)].settings["n_classes"] == 3
    assert models[("joint_vae", 1)].settings["warmup_steps"] == 200  # the default
    with pytest.raises(ValueError, match=r"\['integration'\] follow from the data and the model name"):
        omics.train(datasets[1], "joint_vae", model={"integration": "early"})
    result = omics.evaluate(datasets, models, top_features=5)
    summary = result.summary()
    assert summary.index.tolist() == ["joint_vae", "early_ae_supervised", "pca3", "raw_features"]
    assert summary.loc["raw_features", "balanced_accuracy_mean"] > 0.7 and result.latent_dim == 3
    assert len(result.per_seed) == 8 and result.first_run == ("joint_vae", 1)
    assert result.importance.groupby("omic").size().to_dict() == {"methylation": 5, "mirna": 5, "mrna": 5}
    # the shown seed ranks its own top features 1..5; the other seed's ranks and the stability are there
    for _, rows in result.importance.groupby("omic"):
        assert sorted(rows["rank_seed1"]) == [1, 2, 3, 4, 5] and rows["rank_seed2"].between(1, 1000).all()
        assert rows["rank_correlation"].nunique() == 1 and -1 <= rows["rank_correlation"].iloc[0] <= 1
    z, labels = result.test_embedding()
    assert z.shape == (18, 3) and len(labels) == 18
    assert set(result.reconstruction_table()["omic"]) == {"mrna", "mirna", "methylation"}
