"""Trained models as files and what is checked when one is applied: :func:`save_model`
(byte-identical archives), :func:`load_model` (clear errors for files that are not biodl
models), :func:`check_model_inputs` / :func:`check_model_outputs`, and :func:`predict`."""

from __future__ import annotations

import json
import logging
import re
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from biodl import io
from biodl.training.pipeline import make_dataset

log = logging.getLogger(__name__)


def save_model(model, path: io.PathLike) -> None:
    """Save a Keras model to ``path`` (``.keras``) atomically, byte for byte the same for
    the same weights (:func:`canonical_keras_archive`)."""
    if Path(path).suffix != ".keras":
        raise ValueError(f"{path}: models are saved in the .keras format; use that suffix")
    with io.atomic_output(path) as tmp:
        model.save(tmp)
        canonical_keras_archive(tmp)


def canonical_keras_archive(path: io.PathLike) -> None:
    """Rewrite the ``.keras`` archive at ``path`` without what changes from one save of the
    same model to the next: the save date (metadata), the members' time stamps, and the
    ``shared_object_id`` numbers (Python object addresses), renumbered in order of first
    appearance, which keeps the sharing they describe."""

    path = Path(path)
    with zipfile.ZipFile(path) as archive:
        members = [(info.filename, archive.read(info)) for info in archive.infolist()]
    numbers: dict[str, int] = {}

    def renumber(match: re.Match) -> str:
        return f'"shared_object_id": {numbers.setdefault(match[1], len(numbers) + 1)}'

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            if name == "metadata.json":
                metadata = json.loads(data)
                metadata.pop("date_saved", None)
                data = json.dumps(metadata).encode()
            elif name == "config.json":
                data = re.sub(r'"shared_object_id": (\d+)', renumber, data.decode()).encode()
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED)


def load_model(path: io.PathLike):
    """Load a model saved by :func:`save_model`.
    Raises
    ------
    InputError
        If ``path`` is missing, not a ``.keras`` archive, or an archive Keras cannot build
        a model from, naming the file and what it holds instead.
    """
    import keras

    # the custom layers and models register themselves for loading when imported
    import biodl.models.autoencoder
    import biodl.models.gaf_layers
    import biodl.models.profile_layers  # noqa: F401

    path = io.files.require_file(path, "model file (.keras)")
    if not zipfile.is_zipfile(path):
        raise io.InputError(f"{path}: not a Keras model file (a .keras zip archive as biodl's train commands write)")
    with zipfile.ZipFile(path) as archive:
        members = set(archive.namelist())
    if not {"config.json", "model.weights.h5"} <= members:
        raise io.InputError(f"{path}: a zip archive but not a Keras model (it lacks config.json and "
                            f"model.weights.h5; it holds e.g. {sorted(members)[:3]})")
    try:
        return keras.models.load_model(path, compile=False)
    except Exception as err:  # noqa: BLE001 (Keras raises any of several types for an archive it cannot rebuild)
        raise io.InputError(f"{path}: Keras cannot build a model from it ({type(err).__name__}: "
                            f"{str(err).splitlines()[0] if str(err) else 'no detail'}); was it written by "
                            "another Keras or biodl version?") from None


def check_model_inputs(model, shapes: Sequence[Sequence[int] | Mapping[str, Sequence[int]]], source: str,
                       what: str) -> None:
    """Refuse a model that cannot read these data.
    Parameters
    ----------
    model
        A loaded Keras model.
    shapes
        The data's input shapes without the batch axis, one entry per acceptable layout:
        a shape, or input name -> shape for several inputs.
    source, what
        Name the model file and the data in the message.

    Raises
    ------
    InputError
        When the model's inputs fit none of ``shapes``.
    """
    if hasattr(model, "input_dims"):  # a subclassed model (the omics autoencoders) names its inputs' widths
        own = {name: (int(width),) for name, width in model.input_dims.items()}
    else:
        own = {tensor.name.split(":")[0]: tuple(tensor.shape[1:]) for tensor in model.inputs}

    def fits(expected, given) -> bool:
        return len(expected) == len(given) and all(e is None or e == g for e, g in zip(expected, given))

    for layout in shapes:
        if isinstance(layout, Mapping):
            if len(own) == len(layout) and all(name in layout and fits(shape, layout[name])
                                               for name, shape in own.items()):
                return
        elif len(own) == 1 and fits(next(iter(own.values())), tuple(layout)):
            return
    described = ", ".join(f"{name} {shape}" for name, shape in own.items())
    wanted = " or ".join(str(dict(layout)) if isinstance(layout, Mapping) else str(tuple(layout)) for layout in shapes)
    raise io.InputError(f"{source}: a model of other data (its inputs: {described}); {what} have inputs of shape "
                        f"{wanted}: give the model trained on this dataset")


def check_model_outputs(model, n_outputs: int, source: str, what: str) -> None:
    """Refuse a model whose output layer does not have ``n_outputs`` units (:class:`InputError`)."""
    units = model.outputs[0].shape[-1] if len(model.outputs) == 1 else None
    if units != n_outputs:
        raise io.InputError(f"{source}: a model with {units if units is not None else len(model.outputs)} outputs; "
                            f"{what} have {n_outputs}: give the model trained on this dataset")


def predict(model, x, batch_size: int = 256) -> np.ndarray | dict[str, np.ndarray]:
    """Model outputs for ``x`` (an array, :class:`~biodl.io.arrays.StoredRows`, a dict of
    arrays, or a :class:`~biodl.training.pipeline.BatchSource`) in batches read one at a
    time, as float32 numpy; a dict of them for a model with named outputs."""
    outputs = model.predict(make_dataset(x, None, batch_size), verbose=0)
    if isinstance(outputs, dict):
        return {name: np.asarray(value, dtype=np.float32) for name, value in outputs.items()}
    return np.asarray(outputs, dtype=np.float32)


def output_logits(model):
    """The pre-activation of the model's output layer (named ``output``) and its activation.

    Returns
    -------
    logits, activation
        A ``tf.function`` from float32 ``(N, ...)`` inputs to ``(N, outputs)`` logits (the
        output layer's kernel and bias applied, not its activation), and that activation's
        name (``sigmoid``, ``softmax``, ``linear``).
    """
    import keras
    import tensorflow as tf

    head = model.get_layer("output")
    body = keras.Model(model.inputs, head.input)
    kernel = tf.convert_to_tensor(head.kernel)
    bias = tf.convert_to_tensor(head.bias) if head.use_bias else tf.zeros(kernel.shape[-1])

    @tf.function(reduce_retracing=True)
    def logits(x):
        return tf.matmul(tf.cast(body(x, training=False), tf.float32), kernel) + bias

    return logits, getattr(head.activation, "__name__", "linear")
