"""Profile datasets end to end on a simulated genome with footprints: prepare, train a small
BPNet through the one training path (augmentations drawn per batch, the same for a seed),
evaluate beside the average-profile baseline, and the predictions as a bigWig."""

import numpy as np
import pandas as pd
import pytest

from biodl import profiles
from biodl.data.simulate import simulate_genome, simulate_insertions
from biodl.io.fragments import write_counts_bigwig
from biodl.models.bpnet import LOG_COUNT, PROFILE
from biodl.training.pipeline import make_dataset

SMALL = {"filters": 8, "first_kernel": 11, "n_dilated": 3, "profile_kernel": 11}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("profiles")
    genome = simulate_genome(n_chromosomes=3, chromosome_length=40_000, n_peaks=60, seed=5)
    genome.write(folder / "genome.fa", folder / "peaks.narrowPeak", folder / "truth.tsv")
    write_counts_bigwig(simulate_insertions(genome, seed=5), folder / "cuts.bw")
    return folder


@pytest.fixture(scope="module")
def data(folder):
    windows, _ = profiles.prepare(folder / "peaks.narrowPeak", folder / "genome.fa", {"cuts": folder / "cuts.bw"},
                                  input_length=200, output_length=100, jitter=16, background=0.5,
                                  split={"test_chromosomes": ["chr3"], "val_chromosomes": ["chr2"]})
    return windows


def batches(dataset):
    return [(np.asarray(x), {k: np.asarray(v) for k, v in y.items()}) for x, y in dataset]


def test_training_batches_are_augmented_the_same_way_for_a_seed_and_validation_ones_centred(data, keras):
    first = batches(make_dataset(data, None, 16, shuffle=True, seed=3, epochs=2))
    again = batches(make_dataset(data, None, 16, shuffle=True, seed=3, epochs=2))
    other = batches(make_dataset(data, None, 16, shuffle=True, seed=4, epochs=2))
    assert len(first) == 2 * -(-len(data) // 16)
    for (x, y), (x2, y2) in zip(first, again, strict=True):
        np.testing.assert_array_equal(x, x2)
        np.testing.assert_array_equal(y[PROFILE], y2[PROFILE])
    assert not all(np.array_equal(a[0], b[0]) for a, b in zip(first, other, strict=True))
    centred = np.concatenate([x for x, _ in batches(make_dataset(data, None, 16))])
    np.testing.assert_array_equal(centred, data.inputs()[:])


def test_train_evaluate_and_write_predicted_tracks(data, keras, tmp_path):
    import pyBigWig

    keras.utils.set_random_seed(1)
    model, history = profiles.train(data, model=SMALL, training={"epochs": 3, "patience": 3}, seed=1,
                                    model_path=tmp_path / "bpnet.keras", history_path=tmp_path / "history.tsv")
    totals = data.observed().sum(axis=(1, 2))[(data.windows["source"] == "region") & (data.split == "train")]
    assert history["count_weight"].iloc[0] == pytest.approx(max(np.median(totals) / 10, 1))
    assert history["loss"].iloc[-1] < history["loss"].iloc[0]
    assert (tmp_path / "bpnet.keras").is_file() and len(pd.read_csv(tmp_path / "history.tsv", sep="\t")) == 3

    evaluation = profiles.evaluate(data, model, seed=1)
    metrics = evaluation.metrics
    assert set(metrics["models"]) == {"bpnet", "average_profile_kmer"}
    for figures in metrics["models"].values():
        assert -1 <= figures["count_pearson_peaks"] <= 1 and 0 <= figures["profile_jsd_median"] <= np.sqrt(np.log(2))
    n_test = int((data.split == "test").sum())
    assert metrics["models"]["bpnet"]["per_track"]["cuts"]["windows"] == n_test
    evaluation.write(tmp_path / "metrics.json", tmp_path / "predictions.tsv")
    table = pd.read_csv(tmp_path / "predictions.tsv", sep="\t")
    assert len(table) == n_test and {"bpnet_log_count", "bpnet_jsd", "average_profile_kmer_jsd"} <= set(table)

    profiles.prediction_tracks(evaluation, data, {"cuts": tmp_path / "predicted.bw"})
    expected = profiles.predicted_counts(evaluation.profiles["bpnet"], evaluation.log_counts["bpnet"])
    offset = (data.input_length - data.output_length) // 2
    with pyBigWig.open(str(tmp_path / "predicted.bw")) as track:
        assert track.chroms() == data.chrom_sizes
        chrom, start = evaluation.windows.loc[0, ["chrom", "start"]]
        values = track.values(chrom, int(start + offset), int(start + offset + data.output_length), numpy=True)
        alone = not ((evaluation.windows["chrom"] == chrom) & (abs(evaluation.windows["start"] - start) < 100)
                     ).sum() > 1
        if alone:
            np.testing.assert_allclose(values, expected[0, :, 0], rtol=1e-5)
        assert np.isnan(track.values(chrom, 0, 1)[0]) or start + offset == 0


def test_the_same_seed_trains_the_same_model(data, keras):
    weights = []
    for _ in range(2):
        keras.utils.set_random_seed(7)
        model, _ = profiles.train(data, model=SMALL, training={"epochs": 1}, seed=7)
        weights.append(model.get_weights())
    for a, b in zip(*weights, strict=True):
        np.testing.assert_array_equal(a, b)
    assert set(model.predict(data.inputs()[:2], verbose=0)) == {PROFILE, LOG_COUNT}


def test_the_bias_model_learns_from_quiet_background_and_stays_frozen_beside_the_bpnet(data, keras, tmp_path):
    from biodl.models.bpnet import BIAS, NO_BIAS

    rows = profiles.bias_windows(data, "train")
    totals = data.observed().sum(axis=(1, 2))
    peaks = (data.windows["source"] == "region") & (data.split == "train")
    assert (data.windows.loc[rows, "source"] == "background").all() and (data.split[rows] == "train").all()
    quiet = totals[rows].max() < 0.5 * totals[peaks].min()  # ChromBPNet's rule, or the quieter half
    half = rows.sum() == ((data.windows["source"] == "background") & (data.split == "train")).sum() // 2
    assert rows.sum() > 0 and (quiet or half)
    keras.utils.set_random_seed(2)
    bias, history = profiles.train_bias(data, model={"first_kernel": 11, "n_dilated": 2, "profile_kernel": 11},
                                        training={"epochs": 2}, model_path=tmp_path / "bias.keras")
    assert bias.name == BIAS and len(history) == 2
    model, _ = profiles.train(data, model=SMALL, training={"epochs": 2}, bias_path=tmp_path / "bias.keras")
    frozen = model.get_layer(BIAS)
    for before, after in zip(bias.get_weights(), frozen.get_weights(), strict=True):
        np.testing.assert_array_equal(before, after)
    assert model.get_layer(NO_BIAS).count_params() > 0
    evaluation = profiles.evaluate(data, model, name="chrombpnet", kmer_baseline=False)
    assert set(evaluation.metrics["models"]) == {"chrombpnet", "average_profile_kmer"}
    assert evaluation.metrics["model"] == "chrombpnet"


def test_interpretation_explains_both_heads_and_draws_footprints(data, keras, tmp_path):
    keras.utils.set_random_seed(3)
    model, _ = profiles.train(data, model=SMALL, training={"epochs": 2})
    found = profiles.interpret(data, model, max_windows=40, n_references=3, footprint_motifs=["MA0139", "AAAAAAAA"],
                               n_backgrounds=12)
    attributions = found.attributions
    assert attributions.outputs == ["profile:cuts", "count:cuts"] and attributions.split == "peaks"
    n_peaks = int((data.windows["source"] == "region").sum())
    assert len(attributions.x[0]) == min(40, n_peaks)
    assert all(found.attributions.convergence[j]["max_abs_delta"] < 1e-2 for j in (0, 1))
    footprints = found.footprints
    assert set(footprints["motif"]) == {"MA0139.2 CTCF", "AAAAAAAA"} and set(footprints["n"]) == {12}
    assert len(footprints) == 2 * 100  # two motifs, the 100 output bases around each centre
    np.testing.assert_allclose(footprints["footprint"], footprints["with_motif"] - footprints["without"], atol=1e-9)
    assert set(found.depth["motif"]) == set(footprints["motif"])
    assert footprints.groupby("motif")["log_count_effect"].first().nunique() == 2
    paths = [tmp_path / name for name in ("a.npz", "c.tsv", "p.meme", "p.tsv", "p.json", "t.tsv", "t.json", "f.tsv",
                                          "d.tsv")]
    found.write(*paths)
    assert all(path.stat().st_size > 0 for path in paths if path.suffix != ".meme")


def test_predictions_over_a_users_regions_tile_them_and_count_what_is_left_out(data, folder, keras, tmp_path):
    import pyBigWig

    from biodl.data.dna import one_hot_encode
    from biodl.io.genome import Genome

    keras.utils.set_random_seed(6)
    model, _ = profiles.train(data, model=SMALL, training={"epochs": 1})
    (tmp_path / "regions.bed").write_text("chr2\t1000\t1250\nchr1\t10\t60\nchrZ\t100\t200\n")
    report = profiles.predict_regions(model, folder / "genome.fa", tmp_path / "regions.bed", ["cuts"],
                                      {"cuts": tmp_path / "regions.bw"})
    assert report == {"regions": 3, "windows": 3, "off_chromosome_end": 1, "unknown_chromosome": 1}
    with Genome(folder / "genome.fa") as genome:
        x = one_hot_encode([genome.fetch("chr2", 1100 - 50, 1100 - 50 + 200)]).astype(np.float32)
    outputs = model.predict(x, verbose=0)
    expected = profiles.predicted_counts(profiles.softmax_profiles(outputs[PROFILE]), outputs[LOG_COUNT])[0, :, 0]
    with pyBigWig.open(str(tmp_path / "regions.bw")) as track:
        np.testing.assert_allclose(track.values("chr2", 1100, 1200, numpy=True), expected, rtol=1e-4)
        assert np.isnan(track.values("chr2", 999, 1000)[0]) and not np.isnan(track.values("chr2", 1299, 1300)[0])
        assert np.isnan(track.values("chr2", 1300, 1301)[0])  # the last tile of 1000-1250 ends at 1300


def test_transfer_starts_from_a_trained_profile_model(data, keras, tmp_path):
    from biodl.models.bpnet import NO_BIAS

    keras.utils.set_random_seed(3)
    pretrained, _ = profiles.train(data, model=SMALL, training={"epochs": 1}, model_path=tmp_path / "pre.keras")
    extracted, history = profiles.train(data, training={"epochs": 2, "patience": 2}, init_from=tmp_path / "pre.keras",
                                        transfer="feature_extraction")
    assert set(history["phase"]) == {"feature_extraction"}
    for name in ("conv_first", "conv_dilated3"):  # the body stays as it was trained
        np.testing.assert_array_equal(extracted.get_layer(name).get_weights()[0],
                                      pretrained.get_layer(name).get_weights()[0])
    assert not np.array_equal(extracted.get_layer(LOG_COUNT).get_weights()[0],
                              pretrained.get_layer(LOG_COUNT).get_weights()[0])
    tuned, history = profiles.train(data, training={"epochs": 1}, init_from=tmp_path / "pre.keras",
                                    history_path=tmp_path / "history.tsv")
    assert history["phase"].tolist() == ["feature_extraction", "fine_tuning"]
    assert pd.read_csv(tmp_path / "history.tsv", sep="\t")["phase"].tolist() == history["phase"].tolist()
    assert not np.array_equal(tuned.get_layer("conv_first").get_weights()[0],
                              pretrained.get_layer("conv_first").get_weights()[0])
    bias, _ = profiles.train_bias(data, model={"first_kernel": 11, "n_dilated": 1, "profile_kernel": 11},
                                  training={"epochs": 1}, model_path=tmp_path / "bias.keras")
    factorised, _ = profiles.train(data, training={"epochs": 1}, init_from=tmp_path / "pre.keras",
                                   transfer="feature_extraction", bias_path=tmp_path / "bias.keras")
    np.testing.assert_array_equal(factorised.get_layer(NO_BIAS).get_layer("conv_first").get_weights()[0],
                                  pretrained.get_layer("conv_first").get_weights()[0])
    with pytest.raises(ValueError, match="transfer must be one of"):
        profiles.train(data, init_from=tmp_path / "pre.keras", transfer="frozen")


def test_the_search_scores_trials_on_the_validation_chromosomes(data, keras, tmp_path):
    result = profiles.search(data, model=SMALL, training={"epochs": 2, "patience": 2},
                             space={"training.learning_rate": {"low": 1e-3, "high": 5e-3, "log": True}},
                             budget={"trials": 2, "pruning": False}, seed=2, study_path=tmp_path / "study.db")
    assert result.summary["metric"] == "count_pearson_peaks" and result.summary["scoring"] == "validation split"
    assert result.kind == "profiles" and result.searched == "training.learning_rate"
    assert len(result.trials) == 2 and result.trials["count_pearson_peaks"].between(-1, 1).all()
    assert result.summary["settings"]["model"] == SMALL
    test_only = data.subset(data.split != "val")  # no validation chromosome: nothing to choose on
    with pytest.raises(ValueError, match="no validation windows"):
        profiles.search(test_only, model=SMALL, budget={"trials": 1})
