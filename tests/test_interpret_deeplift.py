"""DeepLIFT (rescale rule, shuffled references): exact on a linear model, summing to the
logit difference (the convergence check) on a CNN with ReLUs, max pooling and batch norm,
and a clear error on models it cannot explain."""

import numpy as np
import pytest

from biodl.data.dna import one_hot_encode

LENGTH = 40


@pytest.fixture(scope="module")
def x():
    rng = np.random.default_rng(1)
    return one_hot_encode(["".join(rng.choice(list("ACGT"), LENGTH)) for _ in range(12)]).astype(np.float32)


def test_linear_model_gets_weights_times_difference_from_each_reference(keras, x):
    from biodl.interpret.deeplift import deeplift

    inputs = keras.Input((LENGTH, 4))
    head = keras.layers.Dense(2, activation="softmax", name="output")
    model = keras.Model(inputs, head(keras.layers.Flatten()(inputs)))
    weights = np.random.default_rng(0).normal(size=(LENGTH * 4, 2)).astype(np.float32)
    head.set_weights([weights, np.zeros(2, np.float32)])
    w = weights.reshape(LENGTH, 4, 2)[..., 1]
    result = deeplift(model, x, output=1, n_references=3, seed=2)
    # hypothetical[i, b] = w[i, b] - mean over references of w[i, reference base]: centred on
    # the references' bases, so the observed base's value minus another's is w's difference
    np.testing.assert_allclose(result.hypothetical[:, :, 0] - result.hypothetical[:, :, 3],
                               np.broadcast_to(w[:, 0] - w[:, 3], (len(x), LENGTH)), atol=1e-5)
    np.testing.assert_allclose(result.delta, 0, atol=1e-4)
    assert result.delta.shape == (len(x), 3)


@pytest.mark.parametrize("pool_sizes", [(4, 1), (3, 2)])
def test_attributions_sum_to_the_logit_difference_through_relu_pooling_and_batch_norm(keras, x, pool_sizes):
    from biodl.interpret.deeplift import deeplift
    from biodl.models import build_cnn1d

    keras.utils.set_random_seed(5)
    model = build_cnn1d((LENGTH, 4), 3, "multiclass", filters=(16, 8), kernel_sizes=(7, 3), pool_sizes=pool_sizes,
                        dense_units=(8,), batch_norm=True)
    rng = np.random.default_rng(3)
    for layer in model.layers:  # running statistics away from 0 and 1, so batch norm is a real affine map
        if type(layer).__name__ == "BatchNormalization":
            layer.moving_mean.assign(rng.normal(size=layer.moving_mean.shape).astype(np.float32))
            layer.moving_variance.assign(rng.uniform(0.5, 2, size=layer.moving_variance.shape).astype(np.float32))
    result = deeplift(model, x, output=2, n_references=4, seed=1)
    summary = result.convergence()
    assert summary["mean_abs_logit_difference"] > 0.01
    assert summary["max_abs_delta"] < 1e-4 * max(1.0, summary["mean_abs_logit_difference"])
    # the observed base's hypothetical contribution is its actual contribution
    actual = (result.hypothetical * x).sum(axis=(1, 2))
    np.testing.assert_allclose(actual, result.logit_difference.mean(axis=1), rtol=1e-4, atol=1e-4)


def test_models_it_cannot_explain_are_named(keras, x):
    from biodl.interpret.deeplift import deeplift

    inputs = keras.Input((LENGTH, 4))
    h = keras.layers.Conv1D(4, 5, activation="tanh", name="conv1")(inputs)
    outputs = keras.layers.Dense(1, activation="sigmoid", name="output")(keras.layers.GlobalMaxPooling1D()(h))
    with pytest.raises(ValueError, match="'conv1' has tanh"):
        deeplift(keras.Model(inputs, outputs), x)


@pytest.mark.parametrize("head", ["profile", "count"])
def test_bpnet_contributions_sum_to_each_heads_difference_from_the_reference(keras, head):
    from biodl.interpret.deeplift import deeplift_profile
    from biodl.models.bpnet import LOG_COUNT, PROFILE, build_bpnet

    keras.utils.set_random_seed(4)
    model = build_bpnet(input_length=120, output_length=40, n_tracks=2, filters=8, first_kernel=9, n_dilated=3,
                        profile_kernel=9)
    x = np.eye(4, dtype=np.float32)[np.random.default_rng(5).integers(0, 4, (6, 120))]
    result = deeplift_profile(model, x, head=head, track=1, n_references=4)
    assert result.hypothetical.shape == x.shape
    assert result.convergence()["max_abs_delta"] < 1e-3 * max(1.0, result.convergence()["mean_abs_logit_difference"])
    assert result.convergence()["mean_abs_logit_difference"] > 1e-3
    outputs = model.predict(x, verbose=0)
    if head == "count":
        target = outputs[LOG_COUNT][:, 1]
    else:
        z = outputs[PROFILE][:, :, 1]
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        target = (p * (z - z.mean(axis=1, keepdims=True))).sum(axis=1)
    # the value the explainer explains is the head's output as the model computes it
    from biodl.interpret.deeplift import _bpnet_explainer

    _, value, _ = _bpnet_explainer(model, head, 1)(x, x)
    np.testing.assert_allclose(np.asarray(value), target, rtol=1e-4, atol=1e-4)
    with pytest.raises(ValueError, match="head must be one of"):
        deeplift_profile(model, x, head="shape")
