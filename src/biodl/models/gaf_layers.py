"""A Keras layer that computes Gramian angular fields from raw series inside the model,
so large data sets need no stored images (``build_cnn2d(gaf_on_the_fly=...)``) and
augmented series get their own images. The math is :func:`biodl.data.gaf_images.gaf_tensorflow`."""

from __future__ import annotations

import keras

from biodl.data.gaf_images import DEFAULT_SCALES, GAF_ENCODINGS, gaf_tensorflow


@keras.saving.register_keras_serializable(package="biodl")
class GramianAngularField(keras.layers.Layer):
    """``(batch, T, C)`` series -> ``(batch, S, S, C * W * len(encodings))`` GASF/GADF
    images of the ``W`` windows of ``scales``, the same numbers as
    :func:`biodl.data.gaf_images.gaf_images` (within 1e-5)."""

    def __init__(self, image_size: int, encodings=GAF_ENCODINGS, scales=DEFAULT_SCALES, **kwargs):
        super().__init__(**kwargs)
        self.image_size = int(image_size)
        self.encodings = tuple(encodings)
        self.scales = tuple(int(k) for k in scales)

    def call(self, inputs):
        return gaf_tensorflow(inputs, self.image_size, self.encodings, self.scales)

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1] * sum(self.scales) * len(self.encodings)
        return (input_shape[0], self.image_size, self.image_size, channels)

    def get_config(self):
        return {**super().get_config(), "image_size": self.image_size, "encodings": list(self.encodings),
                "scales": list(self.scales)}
