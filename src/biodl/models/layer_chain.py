"""Whether a model is a chain of layers, each reading the one before: what fast ISM, DeepLIFT
and the transfer of a network's body rely on."""

from __future__ import annotations


def chain_layers(model) -> list | None:
    """The layers of a one-input ``(N, L, C)`` model after its input, when each reads the
    one before (a chain, as every ``build_cnn1d`` model is); ``None`` otherwise."""
    import keras

    if len(model.inputs) != 1 or len(model.inputs[0].shape) != 3:
        return None
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    previous = model.inputs[0]
    for layer in layers:
        if layer.input is not previous:
            return None
        previous = layer.output
    return layers
