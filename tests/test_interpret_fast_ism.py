"""Fast ISM equals plain ISM on every kind of build_cnn1d model, and is skipped (plain ISM
runs) for models it does not support."""

import numpy as np
import pytest

ARCHITECTURES = {
    "one block, global max": dict(filters=[16], kernel_sizes=[7], pool_sizes=[1], dense_units=[8]),
    "two blocks, pools 3 and 2, even kernel": dict(filters=[16, 8], kernel_sizes=[6, 3], pool_sizes=[3, 2],
                                                   dense_units=[8]),
    "global average, no batch norm (biases)": dict(filters=[16, 8], kernel_sizes=[5, 4], pool_sizes=[4, 1],
                                                   dense_units=[], global_pool="avg", batch_norm=False),
    "flatten then two dense layers": dict(filters=[8], kernel_sizes=[5], pool_sizes=[4], dense_units=[8, 4],
                                          global_pool="flatten"),
}


def random_batch_norm(model, rng):
    """Batch-norm statistics away from the identity, so that the test sees them."""
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization":
            gamma, beta, mean, variance = layer.get_weights()
            layer.set_weights([gamma + rng.normal(0, 0.3, gamma.shape), beta + rng.normal(0, 0.3, beta.shape),
                               mean + rng.normal(0, 0.3, mean.shape), variance + rng.uniform(0.5, 1.5, variance.shape)])


@pytest.mark.parametrize("length", [37, 40])  # 37: pools with padding at the end
@pytest.mark.parametrize("architecture", ARCHITECTURES, ids=list(ARCHITECTURES))
def test_fast_ism_equals_plain_ism(keras, architecture, length, monkeypatch):
    from biodl.interpret import fast_ism
    from biodl.interpret.attribution import ism
    from biodl.interpret.fast_ism import plan
    from biodl.models import build_cnn1d

    monkeypatch.setattr(fast_ism, "SEQUENCE_CHUNK", 2)  # 5 sequences in three chunks

    rng = np.random.default_rng(length)
    keras.utils.set_random_seed(length)  # the weights, whatever other tests drew before
    model = build_cnn1d((length, 4), 3, "multiclass", **ARCHITECTURES[architecture])
    random_batch_norm(model, rng)
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (5, length))]
    x[0, :3] = 0  # Ns at the start: no substitution away from them is skipped
    assert plan(model) is not None
    plain = ism(model, x, output=1, fast=False)
    fast = ism(model, x, output=1, batch_size=100)  # several batches, the last one short
    assert np.abs(plain).max() > 0.01
    np.testing.assert_allclose(fast, plain, atol=1e-5)
    assert (fast[x == 1] == 0).all() and (plain[x == 1] == 0).all()  # the reference bases


def test_fast_ism_follows_new_weights_and_falls_back_for_other_models(keras):
    from biodl.interpret.attribution import ism
    from biodl.interpret.fast_ism import fast_ism, plan
    from biodl.models import build_cnn1d

    rng = np.random.default_rng(0)
    model = build_cnn1d((30, 4), 1, "binary", **ARCHITECTURES["one block, global max"])
    x = np.eye(4, dtype=np.float32)[rng.integers(0, 4, (3, 30))]
    before = ism(model, x)
    model.set_weights([w + rng.normal(0, 0.5, w.shape).astype(np.float32) for w in model.get_weights()])
    after = ism(model, x)  # the cached plan reads the weights as they are now
    assert np.abs(after - before).max() > 1e-3
    np.testing.assert_allclose(after, ism(model, x, fast=False), atol=1e-5)

    inputs = keras.Input((30, 4))
    flat = keras.Model(inputs, keras.layers.Dense(1, name="output")(keras.layers.Flatten()(inputs)))
    assert plan(flat) is None
    assert ism(flat, x).shape == (3, 30, 4)
    with pytest.raises(ValueError, match="not a chain of convolution blocks"):
        fast_ism(flat, x)
