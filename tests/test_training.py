import numpy as np
import pandas as pd
import pytest

from biodl import training
from biodl.data.dna import one_hot_encode, reverse_complement
from biodl.io import InputError
from biodl.io.arrays import StoredRows, npz_writer, stored_rows
from biodl.sequences import SequenceTraining
from biodl.training.fitting import checkpoint_dir_for


def planted_data(n=240, length=40, seed=0):
    rng = np.random.default_rng(seed)
    seqs = ["".join(rng.choice(list("ACGT"), length)) for _ in range(n)]
    y = (np.arange(n) % 2).astype(np.float32)[:, None]
    seqs = [s[:10] + "GGGGCGGGGC" + s[20:] if label else s for s, label in zip(seqs, y[:, 0])]
    return one_hot_encode(seqs), y


def train_once(tmp_path, name, stored=False):
    training.configure(seed=7, threads=2)
    from biodl.models import build_cnn1d

    x, y = planted_data()
    if stored:
        with npz_writer(tmp_path / f"{name}.npz") as archive:
            archive.add("x", x)
        x = stored_rows(tmp_path / f"{name}.npz", "x")
    model = build_cnn1d(x.shape[1:], 1, "binary", filters=(8,), kernel_sizes=(7,), pool_sizes=(1,), dense_units=(8,))
    settings = SequenceTraining(epochs=20, batch_size=32, learning_rate=0.01, patience=5)
    history = training.fit(model, (x[:160], y[:160]), (x[160:200], y[160:200]), settings, task="binary", seed=7,
                           transformed_copy=reverse_complement, verbose=0,
                           history_path=tmp_path / f"{name}.tsv", model_path=tmp_path / f"{name}.keras")
    return model, history, x, y


def test_fit_learns_saves_and_is_reproducible(tmp_path, keras):
    model_a, history_a, x, y = train_once(tmp_path, "a")
    model_b, history_b, _, _ = train_once(tmp_path, "b")
    for wa, wb in zip(model_a.get_weights(), model_b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    pd.testing.assert_frame_equal(history_a, history_b)
    assert history_a["val_loss"].min() < history_a["val_loss"].iloc[0]
    written = pd.read_csv(tmp_path / "a.tsv", sep="\t")
    assert list(written.columns[:3]) == ["epoch", "loss", "val_loss"] and written["best"].sum() == 1
    assert written.loc[written["best"], "val_loss"].item() == written["val_loss"].min()
    loaded = training.load_model(tmp_path / "a.keras")
    np.testing.assert_allclose(training.predict(loaded, x[200:]), training.predict(model_a, x[200:]), atol=1e-6)
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(y[200:, 0], training.predict(model_a, x[200:])[:, 0]) > 0.9


def test_training_streamed_from_disk_equals_training_in_memory(tmp_path, keras):
    model_memory, history_memory, x, _ = train_once(tmp_path, "memory")
    model_disk, history_disk, stored, _ = train_once(tmp_path, "disk", stored=True)
    assert isinstance(stored, StoredRows)
    pd.testing.assert_frame_equal(history_memory, history_disk)
    for wa, wb in zip(model_memory.get_weights(), model_disk.get_weights()):
        np.testing.assert_array_equal(wa, wb)
    np.testing.assert_array_equal(training.predict(model_disk, stored.take(slice(200, None))),
                                  training.predict(model_memory, x[200:]))


def test_each_epoch_sees_every_row_and_its_transformed_copy_once(keras):
    x = np.arange(7 * 3 * 4, dtype=np.uint8).reshape(7, 3, 4)
    y = np.arange(7, dtype=np.float32)
    data = training.make_dataset(x, y, batch_size=3, shuffle=True, seed=1, transformed_copy=reverse_complement)
    epochs = [[(xb.numpy(), yb.numpy()) for xb, yb in data] for _ in range(2)]
    for epoch in epochs:
        xs = np.concatenate([xb for xb, _ in epoch])
        ys = np.concatenate([yb for _, yb in epoch])
        assert xs.dtype == np.float32 and len(xs) == 14
        expected = np.concatenate([x, reverse_complement(x)]).astype(np.float32)
        order = np.lexsort(xs.reshape(14, -1).T[::-1])
        np.testing.assert_array_equal(xs[order], expected[np.lexsort(expected.reshape(14, -1).T[::-1])])
        for row, target in zip(xs, ys):  # each row keeps its own target
            assert row.tolist() in (x[int(target)].tolist(), reverse_complement(x[int(target)]).tolist())
    assert not all(np.array_equal(a[1], b[1]) for a, b in zip(*epochs))  # reshuffled each epoch
    in_order = np.concatenate([b.numpy() for b in training.make_dataset(x, None, batch_size=4)])
    np.testing.assert_array_equal(in_order, x.astype(np.float32))


def test_fit_stops_early_keeps_the_best_epoch_and_removes_its_checkpoint(tmp_path, keras):
    _, history, _, _ = train_once(tmp_path, "a")
    best = int(history["val_loss"].idxmin())
    assert len(history) == 20 or len(history) == best + 1 + 5  # stopped 5 epochs after the best
    assert history["best"].tolist() == [i == best for i in range(len(history))]
    assert not checkpoint_dir_for(tmp_path / "a.keras").exists()


def test_a_checkpoint_of_other_training_is_not_resumed(tmp_path, keras, caplog):
    import json

    stale = checkpoint_dir_for(tmp_path / "a.keras")
    stale.mkdir(parents=True)
    (stale / "state.json").write_text(json.dumps({"fingerprint": "other", "epoch": 12, "rows": []}))
    _, history, _, _ = train_once(tmp_path, "a")
    assert history["epoch"].iloc[0] == 1 and "checkpoint of other training" in caplog.text
    assert not stale.exists()


def test_fit_needs_a_loss_or_task(keras):
    from biodl.models import build_cnn1d

    with pytest.raises(ValueError, match="give a loss or a task"):
        training.fit(build_cnn1d((20, 4), 1), (np.zeros((4, 20, 4)), np.zeros((4, 1))),
                     (np.zeros((2, 20, 4)), np.zeros((2, 1))), SequenceTraining())
    with pytest.raises(ValueError, match="no validation samples: .* raise val_fraction"):
        training.fit(build_cnn1d((20, 4), 1), (np.zeros((4, 20, 4)), np.zeros((4, 1))),
                     (np.zeros((0, 20, 4)), np.zeros((0, 1))), SequenceTraining(), task="binary")


def test_model_files(tmp_path, keras):
    from biodl.models import build_cnn1d

    with pytest.raises(ValueError, match=".keras"):
        training.save_model(build_cnn1d((20, 4), 1), tmp_path / "m.h5")
    with pytest.raises(InputError, match=r"none.keras: model file \(.keras\) not found"):
        training.load_model(tmp_path / "none.keras")


def test_keyword_settings_name_the_unknown_key():
    assert training.keyword_settings(SequenceTraining, {"epochs": 3}, "x") == {"epochs": 3}
    with pytest.raises(ValueError, match=r"sequences training: unknown settings \['epoch'\]; known are \['epochs'"):
        training.keyword_settings(SequenceTraining, {"epoch": 3}, "sequences training")


def test_class_weights_balance_imbalanced_labels_only_when_asked_or_needed(caplog):
    import logging

    balanced = np.array([0, 1] * 10)
    skewed = np.array([0] * 18 + [1] * 2)
    assert training.class_weights(balanced, "binary") is None  # auto: classes balanced, no weights
    with caplog.at_level(logging.INFO):
        weights = training.class_weights(skewed[:, None].astype(np.float32), "binary")
    assert weights == pytest.approx({0: 20 / 36, 1: 5.0}) and "class weights" in caplog.text
    assert training.class_weights(balanced, "multiclass", "balanced") == {0: 1.0, 1: 1.0}
    assert training.class_weights(skewed, "binary", "none") is None
    assert training.class_weights(np.zeros((20, 3)), "multilabel", "balanced") is None
    with pytest.raises(ValueError, match="class_weight must be one of"):
        training.class_weights(skewed, "binary", "inverse")


def test_weighted_training_recalls_the_rare_class(keras):
    """One positive in ten: with balanced weights the network calls more of the held-out
    positives at 0.5 than without (Keras applies the weights through the tf.data pipeline)."""
    from biodl.models import build_cnn1d

    x, y = planted_data(n=600)
    rare = np.flatnonzero(y[:, 0] == 0).tolist() + np.flatnonzero(y[:, 0] == 1)[::9].tolist()
    x, y = x[np.sort(rare)], y[np.sort(rare)]
    recalls = {}
    for policy in ("none", "balanced"):
        training.configure(seed=3, threads=2)
        model = build_cnn1d(x.shape[1:], 1, "binary", filters=(4,), kernel_sizes=(7,), pool_sizes=(1,),
                            dense_units=(4,))
        settings = SequenceTraining(epochs=12, batch_size=32, learning_rate=0.01, patience=12, class_weight=policy)
        training.fit(model, (x[:250], y[:250]), (x[250:], y[250:]), settings, task="binary", seed=3)
        recalls[policy] = float((training.predict(model, x[250:])[:, 0] > 0.5)[y[250:, 0] == 1].mean())
    assert recalls["balanced"] > recalls["none"], recalls


def test_the_learning_rate_halves_after_each_plateau_and_a_resumed_run_takes_the_last_one(keras):
    from biodl.models import build_fcn
    from biodl.timeseries import TimeseriesTraining
    from biodl.training.fitting import MIN_LEARNING_RATE, _early_stopping

    training.configure(seed=3, threads=2)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 20, 1)).astype(np.float32), rng.integers(0, 2, 64)  # nothing to learn
    model = build_fcn((20, 1), 2, filters=(4,), kernel_sizes=(3,))
    settings = TimeseriesTraining(epochs=25, batch_size=16, learning_rate=0.01, patience=25, reduce_lr_patience=3)
    history = training.fit(model, (x[:48], y[:48]), (x[48:], y[48:]), settings, task="multiclass", seed=3)
    rates, losses = history["learning_rate"].to_numpy(), history["val_loss"].to_numpy()
    previous = np.r_[0.01, rates[:-1]]
    waits = np.arange(len(losses)) - np.array([np.argmin(losses[:i + 1]) for i in range(len(losses))])
    plateau = (waits > 0) & (waits % 3 == 0)
    assert plateau.any()
    np.testing.assert_allclose(rates[plateau], np.maximum(previous[plateau] / 2, MIN_LEARNING_RATE), rtol=1e-6)
    np.testing.assert_allclose(rates[~plateau], previous[~plateau], rtol=1e-6)
    callback = _early_stopping(25, None, {"rows": history.to_dict("records"), "epoch": 25}, 3)
    callback.set_model(model)
    model.optimizer.learning_rate.assign(0.01)
    callback.on_train_begin()
    assert float(model.optimizer.learning_rate.numpy()) == pytest.approx(rates[-1])
    assert "learning_rate" not in train_once_history_columns()


def train_once_history_columns():
    x, y = planted_data(n=40)
    from biodl.models import build_cnn1d

    model = build_cnn1d(x.shape[1:], 1, "binary", filters=(4,), kernel_sizes=(5,), pool_sizes=(1,), dense_units=())
    settings = SequenceTraining(epochs=2, batch_size=16, learning_rate=0.01, patience=2)
    return list(training.fit(model, (x[:30], y[:30]), (x[30:], y[30:]), settings, task="binary").columns)
