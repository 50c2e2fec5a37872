"""Multi-omics AE / VAE: every variant trains, saves and loads; missing omics are masked."""

import numpy as np
import pytest

from biodl.data.simulate import simulate_omics
from biodl.omics import OmicPreprocessor, build_dataset


@pytest.fixture(scope="module")
def dataset():
    omics, labels = simulate_omics(n_per_subtype=40, missing_fraction=0.2, seed=3)
    return build_dataset(omics, labels.set_index("sample"), {"mrna": OmicPreprocessor(top_k=50),
                         "mirna": OmicPreprocessor(), "methylation": OmicPreprocessor(scaling="minmax")},
                         label_column="subtype", complete_cases=False, val_fraction=0.1, test_fraction=0.2, seed=3)


def dims(dataset):
    return {k: v.shape[1] for k, v in dataset.arrays.items()}


@pytest.mark.parametrize("variational", [True, False])
@pytest.mark.parametrize("integration", ["joint", "early"])
def test_variants_train_save_and_load(tmp_path, keras, dataset, variational, integration):
    from biodl import training
    from biodl.models.autoencoder import build_multiomics_autoencoder
    from biodl.omics import OmicsTraining

    model = build_multiomics_autoencoder(dims(dataset), n_classes=3, latent_dim=3, variational=variational,
                                         integration=integration, likelihoods={"methylation": "bernoulli"},
                                         warmup_steps=10)
    history = training.fit(model, dataset.part("train"), dataset.part("val"), OmicsTraining(epochs=4), verbose=0,
                           model_path=tmp_path / "m.keras", history_path=tmp_path / "h.tsv")
    assert history["loss"].iloc[-1] < history["loss"].iloc[0]
    assert ("kl" in history) == variational and "rec_methylation" in history and "classification" in history
    z = model.predict(dataset.inputs(), verbose=0)
    assert z.shape == (len(dataset.ids), 3) and np.isfinite(z).all()
    errors = model.reconstruction_errors(dataset.inputs("test"))
    n_test = (dataset.split == "test").sum()
    assert set(errors) == set(dims(dataset)) and all(e.shape == (n_test,) for e in errors.values())
    loaded = training.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(dataset.inputs(), verbose=0), z, atol=1e-5)


def test_sample_missing_an_omic_still_gets_embedding_and_prediction(keras, dataset):
    from biodl import training
    from biodl.models.autoencoder import build_multiomics_autoencoder
    from biodl.omics import OmicsTraining

    model = build_multiomics_autoencoder(dims(dataset), n_classes=3, latent_dim=3)
    training.fit(model, dataset.part("train"), dataset.part("val"), OmicsTraining(epochs=3), verbose=0)
    lacking = np.flatnonzero(dataset.mask.sum(axis=1) < dataset.mask.shape[1])
    assert lacking.size > 0
    inputs = {k: v[lacking] for k, v in dataset.inputs().items()}
    z = model.predict(inputs, verbose=0)
    probabilities = np.asarray(model.predict_classes(inputs))
    assert np.isfinite(z).all() and np.allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    # masked omics do not influence the latent: change the missing block, same embedding
    first = lacking[0]
    missing = dataset.omics[int(np.flatnonzero(dataset.mask[first] == 0)[0])]
    changed = {k: v[[first]].copy() for k, v in dataset.inputs().items()}
    changed[missing] += 5.0
    original = {k: v[[first]] for k, v in dataset.inputs().items()}
    np.testing.assert_allclose(model.predict(changed, verbose=0), model.predict(original, verbose=0), atol=1e-6)


def test_feature_importance_of_a_linear_model_is_its_weights(keras, dataset):
    """Joint linear AE: z = sum over present omics of (x_k W_k + b_k) / (omics present), so
    |dz/dx_k| summed over latent dimensions is sum_d |W_k[:, d]| / (omics present)."""
    from biodl.models.autoencoder import build_multiomics_autoencoder

    model = build_multiomics_autoencoder(dims(dataset), latent_dim=2, variational=False, hidden=[])
    inputs = dataset.inputs("test")
    importance = model.feature_importance(inputs)
    present_count = inputs["mask"].sum(axis=1)
    for i, omic in enumerate(dataset.omics):
        present = inputs["mask"][:, i] > 0
        weights = np.abs(np.asarray(model.encoder_heads[omic].kernel)).sum(axis=1)
        expected = weights * np.mean(1 / present_count[present])
        np.testing.assert_allclose(importance[omic], expected, rtol=1e-5)
        assert importance[omic].min() > 0


def test_bad_settings(keras, dataset):
    from biodl.models.autoencoder import build_multiomics_autoencoder

    model = build_multiomics_autoencoder(dims(dataset), latent_dim=2)
    with pytest.raises(ValueError, match="integration must be one of"):
        build_multiomics_autoencoder(dims(dataset), integration="late")
    with pytest.raises(ValueError, match="likelihoods must be"):
        build_multiomics_autoencoder(dims(dataset), likelihoods={"mrna": "poisson"})
    with pytest.raises(ValueError, match="without a classifier"):
        model.predict_classes(dataset.inputs("test"))


def test_linear_model_and_input_dropout_act_in_training_only(tmp_path, keras, dataset):
    from biodl import training
    from biodl.models.autoencoder import build_multiomics_autoencoder

    model = build_multiomics_autoencoder(dims(dataset), latent_dim=2, hidden=[], input_dropout=0.5)
    assert len(model.weights) == 4 * len(dims(dataset))  # one latent and one reconstruction Dense per omic
    inputs = {k: v[:8] for k, v in dataset.inputs().items()}
    np.testing.assert_array_equal(model(inputs, training=False), model(inputs, training=False))
    assert not np.allclose(model(inputs, training=True), model(inputs, training=True))
    model.save(tmp_path / "m.keras")
    assert training.load_model(tmp_path / "m.keras").settings["input_dropout"] == 0.5
