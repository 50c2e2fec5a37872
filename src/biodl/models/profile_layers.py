"""The Keras layer that adds a bias model's counts to a BPNet's in ChromBPNet's factorised
model (:func:`biodl.models.bpnet.build_chrombpnet`)."""

from __future__ import annotations

import keras


@keras.saving.register_keras_serializable(package="biodl")
class AddedLogCounts(keras.layers.Layer):
    """``log(exp(a) + exp(b))`` of two log-count tensors of the same shape: the log of the
    summed counts of two models, computed stably."""

    def call(self, inputs):
        first, second = inputs
        return keras.ops.logaddexp(first, second)

    def compute_output_shape(self, input_shape):
        return input_shape[0]
