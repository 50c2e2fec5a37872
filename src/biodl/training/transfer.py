"""Transfer learning from a trained biodl model, as the field teaches it.

``feature_extraction`` keeps the pretrained layers frozen and trains a new output head for
the new task; ``fine_tuning`` does that first, then unfreezes the pretrained layers (batch
normalisation stays frozen, in inference mode) and trains everything on at a lower
learning rate. Both go through the one :func:`biodl.training.fit`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Any

import pandas as pd

from biodl import io
from biodl.models.heads import output_layer
from biodl.models.layer_chain import chain_layers
from biodl.training import TrainingSettings, fit, load_model

log = logging.getLogger(__name__)

TRANSFER_MODES = ("feature_extraction", "fine_tuning")
FINE_TUNING_FACTOR = 0.1
"""Fine-tuning trains at this fraction of the learning rate."""


def transfer_network(pretrained, input_shape: Sequence[int], n_outputs: int, task: str, source: str = "the model"):
    """The pretrained layers under a new output head for ``task``.

    Parameters
    ----------
    pretrained
        A trained biodl model (its output layer is the one named ``output``).
    input_shape
        The new data's input shape without the batch axis: ``(length, 4)`` for DNA,
        ``(S, S, channels)`` or ``(T, channels)`` for series.
    n_outputs, task
        Of the new head (:func:`biodl.models.heads.output_layer`).
    source
        Names the pretrained model in messages (its file).

    Returns
    -------
    model, body
        The new ``keras.Model`` and its pretrained layers (what transfer freezes).

    Raises
    ------
    ValueError
        When the inputs do not fit: another alphabet or channel count, or another length
        for a network whose layers depend on it (flatten, or not a chain of layers).
    """
    import keras


    try:
        head = pretrained.get_layer("output")
    except ValueError:
        raise ValueError(f"{source}: no layer named 'output'; transfer starts from a model a biodl builder made")
    expected, given = tuple(pretrained.input_shape[1:]), tuple(int(n) for n in input_shape)
    if len(expected) != len(given) or expected[-1] != given[-1]:
        raise ValueError(f"{source} reads inputs of shape {expected} (the last axis: the alphabet or channels); "
                         f"these data are {given}: transfer needs the same alphabet (A, C, G, T) or channels")
    if expected == given:
        inputs, features = pretrained.inputs[0], head.input
    else:
        layers = chain_layers(pretrained)
        if layers is None or any(isinstance(layer, keras.layers.Flatten) for layer in layers):
            raise ValueError(f"{source} reads inputs of shape {expected} and its layers depend on that length; "
                             f"these data are {given}: give windows of length {expected[0]} (the `length` setting)")
        inputs = keras.Input(given, name=pretrained.inputs[0].name.split(":")[0])
        features = inputs
        for layer in layers[:-1]:
            features = layer(features)
        log.info("%s was trained on length %d; its layers are applied to length %d", source, expected[0], given[0])
    outputs = output_layer(task, n_outputs)(features)
    model = keras.Model(inputs, outputs, name=f"{pretrained.name}_transfer")
    body = [layer for layer in model.layers
            if layer is not model.get_layer("output") and not isinstance(layer, keras.layers.InputLayer)]
    return model, body


def fit_transfer(
    model,
    body: Sequence,
    train: tuple,
    val: tuple,
    settings: TrainingSettings,
    mode: str = "fine_tuning",
    *,
    history_path: io.PathLike | None = None,
    model_path: io.PathLike | None = None,
    **fit_options: Any,
) -> pd.DataFrame:
    """Train a :func:`transfer_network`: the head with the body frozen, then (``fine_tuning``)
    the body too at :data:`FINE_TUNING_FACTOR` times the learning rate.

    Parameters
    ----------
    model, body
        From :func:`transfer_network`.
    train, val, settings, history_path, model_path, fit_options
        As for :func:`biodl.training.fit` (each phase has the epochs and patience of
        ``settings``; the checkpoint covers the last phase).
    mode
        One of :data:`TRANSFER_MODES`.

    Returns
    -------
    pandas.DataFrame
        The history of both phases (``phase`` column), epochs numbered on; ``best`` marks
        the epoch whose weights the model keeps.
    """
    import keras

    if mode not in TRANSFER_MODES:
        raise ValueError(f"transfer must be one of {TRANSFER_MODES}, got {mode!r}")
    for layer in body:
        layer.trainable = False
    last = mode == "feature_extraction"
    history = fit(model, train, val, settings, model_path=model_path if last else None, **fit_options)
    history.insert(0, "phase", "feature_extraction")
    if not last:
        for layer in body:
            layer.trainable = not isinstance(layer, keras.layers.BatchNormalization)
        tuned = dataclasses.replace(settings, learning_rate=settings.learning_rate * FINE_TUNING_FACTOR)
        log.info("fine-tuning every layer but batch normalisation at learning rate %g", tuned.learning_rate)
        more = fit(model, train, val, tuned, model_path=model_path, **fit_options)
        more.insert(0, "phase", "fine_tuning")
        more["epoch"] += int(history["epoch"].max())
        history["best"] = False
        history = pd.concat([history, more], ignore_index=True)
    if history_path is not None:
        io.write_table(history_path, history, index=False)
    return history


def train_pretrained(init_from: io.PathLike, dataset, settings: TrainingSettings, mode: str = "fine_tuning",
                     **fit_options: Any):
    """The model saved at ``init_from`` under a new head for ``dataset`` (an
    :class:`~biodl.data.datasets.EncodedDataset`), trained on its training split by
    :func:`fit_transfer`: what the data types' ``train`` run when given ``init_from``.

    Returns
    -------
    model, history
    """

    pretrained = load_model(init_from)
    model, body = transfer_network(pretrained, dataset.x.shape[1:], len(dataset.names), dataset.task,
                                   source=str(init_from))
    log.info("transfer (%s) from %s: its layers replace the model settings", mode, init_from)
    history = fit_transfer(model, body, dataset.part("train"), dataset.part("val"), settings, mode, **fit_options)
    return model, history
