"""Output layers shared by every supervised builder."""

from __future__ import annotations

OUTPUT_ACTIVATIONS = {
    "binary": "sigmoid",
    "multilabel": "sigmoid",
    "multiclass": "softmax",
    "regression": "linear",
}


def output_activation(task: str) -> str:
    """Activation of the output layer for ``task``."""
    try:
        return OUTPUT_ACTIVATIONS[task]
    except KeyError:
        raise ValueError(f"task must be one of {sorted(OUTPUT_ACTIVATIONS)}, got {task!r}") from None


def output_layer(task: str, n_outputs: int, name: str = "output"):
    """Dense output layer for ``task``, kept in float32 under mixed precision."""
    import keras

    return keras.layers.Dense(n_outputs, activation=output_activation(task), dtype="float32", name=name)
