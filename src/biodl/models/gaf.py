"""A Keras layer that computes Gramian angular fields from raw series inside the model,
so large data sets need no stored images (``build_cnn2d(gaf_on_the_fly=...)``) and
augmented series get their own images. The math is :func:`biodl.gaf.gaf_tensorflow`."""

from __future__ import annotations

import keras

from biodl.gaf import GAF_ENCODINGS, gaf_tensorflow


@keras.saving.register_keras_serializable(package="biodl")
class GramianAngularField(keras.layers.Layer):
    """``(batch, T, C)`` series -> ``(batch, S, S, C * len(encodings))`` GASF/GADF images,
    the same numbers as :func:`biodl.gaf.gaf_images` (within 1e-5)."""

    def __init__(self, image_size: int, encodings=GAF_ENCODINGS, **kwargs):
        super().__init__(**kwargs)
        self.image_size = int(image_size)
        self.encodings = tuple(encodings)

    def call(self, inputs):
        return gaf_tensorflow(inputs, self.image_size, self.encodings)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.image_size, self.image_size, input_shape[-1] * len(self.encodings))

    def get_config(self):
        return {**super().get_config(), "image_size": self.image_size, "encodings": list(self.encodings)}
