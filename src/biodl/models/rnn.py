"""Recurrent baseline on raw time series."""

from __future__ import annotations

from biodl.models.heads import output_layer


def build_lstm(
    input_shape: tuple[int, int], n_outputs: int, task: str = "multiclass", units: int = 64,
    dropout: float = 0.2,
):
    """One LSTM layer over ``(time, channels)`` series, its last state into the task head."""
    import keras

    inputs = keras.Input(shape=tuple(input_shape), name="series")
    h = keras.layers.LSTM(units, name="lstm")(inputs)
    h = keras.layers.Dropout(dropout, name="dropout")(h)
    return keras.Model(inputs, output_layer(task, n_outputs)(h), name="lstm")
