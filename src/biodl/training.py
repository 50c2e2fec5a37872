"""The one training path: every biodl model is compiled and fitted by :func:`fit`.

:func:`configure` sets seeds, thread counts, determinism and GPU options; call it once,
before any TensorFlow work, as the CLI does. The defaults of ``epochs``, ``batch_size``,
``learning_rate`` and ``patience`` belong to each data type's ``train`` step
(:func:`biodl.sequences.train`, :func:`biodl.timeseries.train`, :func:`biodl.omics.train`);
:func:`fit` takes them explicitly.
"""

from __future__ import annotations

import inspect
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from biodl import io

log = logging.getLogger(__name__)

LOSSES = {
    "binary": "binary_crossentropy",
    "multilabel": "binary_crossentropy",
    "multiclass": "sparse_categorical_crossentropy",
    "regression": "mse",
}


@dataclass(frozen=True)
class TrainingSettings:
    """How :func:`fit` trains: Adam at ``learning_rate`` on batches of ``batch_size`` for at
    most ``epochs``, stopping after ``patience`` epochs without a lower validation loss.

    Each data type subclasses it with its defaults and augmentation settings
    (:class:`biodl.sequences.SequenceTraining`, :class:`biodl.timeseries.TimeseriesTraining`,
    :class:`biodl.omics.OmicsTraining`).
    """

    epochs: int
    batch_size: int
    learning_rate: float
    patience: int


CLASS_WEIGHTS = ("auto", "balanced", "none")
IMBALANCE_RATIO = 1.5
"""With ``class_weight: auto``, training labels whose largest class outnumbers the smallest
by more than this get balanced class weights."""


def class_weights(y: np.ndarray, task: str, policy: str = "auto") -> dict[int, float] | None:
    """Keras class weights for the training labels of a binary or multiclass task:
    ``n / (classes * count)`` per class (``balanced``), ``None`` (``none``), or balanced only
    when the classes are imbalanced beyond :data:`IMBALANCE_RATIO` (``auto``). Logged when used.
    """
    if policy not in CLASS_WEIGHTS:
        raise ValueError(f"class_weight must be one of {CLASS_WEIGHTS}, got {policy!r}")
    if policy == "none" or task not in ("binary", "multiclass"):
        return None
    labels = np.asarray(y).reshape(len(y), -1)[:, 0].astype(int)
    counts = np.bincount(labels)
    present = counts[counts > 0]
    if policy == "auto" and present.max() <= IMBALANCE_RATIO * present.min():
        return None
    weights = {int(c): float(len(labels) / (len(present) * counts[c])) for c in np.flatnonzero(counts)}
    log.info("class weights %s for training classes of %s examples (class_weight: %s)",
             {c: round(w, 3) for c, w in weights.items()}, counts[counts > 0].tolist(), policy)
    return weights


def keyword_settings(target: Callable, values: Mapping[str, Any] | None, what: str) -> dict[str, Any]:
    """``values`` as keyword arguments of ``target`` (a function or a settings class).

    Raises
    ------
    ValueError
        Naming ``what`` and the unknown keys, and listing the known ones.
    """
    values = dict(values or {})
    known = [name for name, p in inspect.signature(target).parameters.items()
             if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)]
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValueError(f"{what}: unknown settings {unknown}; known are {known}")
    return values


_RUNTIME: dict[str, Any] = {}


def configure(
    seed: int | None = None,
    threads: int | None = None,
    deterministic: bool = True,
    mixed_precision: bool = False,
    devices: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Set up TensorFlow for a reproducible run on this machine.

    Parameters
    ----------
    seed
        Seeds Python, NumPy and TensorFlow (``keras.utils.set_random_seed``).
    threads
        Intra-op thread count (inter-op gets 1, or 2 from 4 threads up); ``None`` leaves
        TensorFlow's choice. Rules pass their ``threads`` here.
    deterministic
        Use deterministic kernels: identical results for the same seed on CPU. On GPU some
        ops are slower, and a few still differ run to run (documented in the README).
    mixed_precision
        ``mixed_float16`` on GPU (outputs stay float32); ignored without a GPU.
    devices
        Devices to train and predict on, e.g. ``["GPU:0", "GPU:1"]``: two or more give a
        ``tf.distribute.MirroredStrategy`` over them (the batch is split between them).
        ``None``: all GPUs, mirrored when there are several; else the default device.

    Returns
    -------
    dict
        What was set, for logs: devices, threads, precision.
    """
    if devices is not None and len(devices) == 0:
        raise ValueError("devices: give at least one device name (e.g. GPU:0), or null for all GPUs")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tensorflow as tf

    if threads:
        try:
            tf.config.threading.set_intra_op_parallelism_threads(int(threads))
            tf.config.threading.set_inter_op_parallelism_threads(2 if threads >= 4 else 1)
        except RuntimeError:
            log.warning("TensorFlow was already initialised; thread counts left unchanged")
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:
            log.warning("TensorFlow was already initialised; GPU memory growth left unchanged")
    if seed is not None:
        keras.utils.set_random_seed(int(seed))
    if deterministic:
        tf.config.experimental.enable_op_determinism()
    policy = "mixed_float16" if mixed_precision and gpus else "float32"
    keras.mixed_precision.set_global_policy(policy)
    wanted = list(devices) if devices else [g.name.replace("/physical_device:", "") for g in gpus]
    strategy = None
    if len(wanted) > 1:
        strategy = tf.distribute.MirroredStrategy(wanted)
    elif devices:
        strategy = tf.distribute.OneDeviceStrategy(wanted[0])
    if strategy is not None:
        tf.distribute.experimental_set_strategy(strategy)
    _RUNTIME.clear()
    _RUNTIME.update(
        devices=wanted or ["CPU"], precision=policy,
        strategy=type(strategy).__name__ if strategy else "default",
        replicas=strategy.num_replicas_in_sync if strategy else 1,
    )
    settings = {**_RUNTIME, "threads": threads, "deterministic": deterministic, "seed": seed}
    log.info("TensorFlow %s configured: %s", tf.__version__, settings)
    return settings


def runtime() -> dict[str, Any]:
    """Devices, precision, distribution strategy and replicas that :func:`configure` set,
    for logs and metrics files; ``{}`` before it ran."""
    return dict(_RUNTIME)


def _n_rows(x) -> int:
    """Rows of model inputs: an array, :class:`~biodl.io.arrays.StoredRows`, or a dict of them."""
    return len(next(iter(x.values())) if isinstance(x, Mapping) else x)


def steps_per_epoch(n: int, batch_size: int, transformed_copy: Callable | None = None) -> int:
    """Batches in one epoch of :func:`make_dataset` over ``n`` rows (twice that with a transformed copy)."""
    return -(-n * (2 if transformed_copy else 1) // batch_size)


def make_dataset(
    x, y: np.ndarray | None, batch_size: int, shuffle: bool = False, seed: int = 1,
    transformed_copy: Callable[[np.ndarray], np.ndarray] | None = None, epochs: int | None = None,
    first_epoch: int = 0,
):
    """A ``tf.data`` pipeline of batches gathered from ``x`` and ``y`` one batch at a time.

    Parameters
    ----------
    x
        Inputs: a numpy array, :class:`biodl.io.arrays.StoredRows` (rows read from the file
        per batch, so memory does not grow with the data), or a dict of arrays for
        multi-input models. Integer inputs are cast to float32 per batch.
    y
        Targets, or ``None`` (for prediction).
    shuffle, seed
        Draw the rows in a new seeded order every epoch (every pass over the dataset);
        otherwise in order.
    epochs, first_epoch
        With ``shuffle``: one dataset of the epochs ``first_epoch`` to ``epochs`` in a row
        (fit it with :func:`steps_per_epoch`), each in the order an uninterrupted run gives
        it, so training resumed at an epoch sees the batches it would have seen (only the
        row numbers of the skipped epochs are drawn, no data).
    transformed_copy
        Each epoch also sees every row through this function, applied to the batch inside
        the pipeline (the data are never copied): e.g. :func:`biodl.dna.reverse_complement`.
        Only for a single input array.

    Returns
    -------
    tf.data.Dataset
        ``(x, y)`` batches (``x`` alone without ``y``), prefetched.
    """
    import tensorflow as tf

    inputs = x if isinstance(x, Mapping) else {"": x}
    names = sorted(inputs)
    n = _n_rows(x)
    if transformed_copy is not None and len(names) > 1:
        raise ValueError("transformed_copy works on single-input models only")
    columns = [inputs[name] for name in names] + ([] if y is None else [y])
    dtypes = [np.float32 if np.issubdtype(c.dtype, np.integer) and i < len(names) else c.dtype
              for i, c in enumerate(columns)]

    def gather(order: np.ndarray) -> list[np.ndarray]:
        order = np.sort(order)  # the order inside a batch does not matter; sorted rows read faster
        rows = order % n
        batch = [np.asarray(column[rows]).astype(dtype, copy=False) for column, dtype in zip(columns, dtypes)]
        if transformed_copy is not None:
            copy = order >= n
            if copy.any():
                batch[0][copy] = transformed_copy(batch[0][copy])
        return batch

    def load(order):
        batch = tf.numpy_function(gather, [order], [tf.as_dtype(d) for d in dtypes], stateful=False)
        for tensor, column in zip(batch, columns):
            tensor.set_shape((None,) + tuple(column.shape[1:]))
        features = batch[0] if names == [""] else dict(zip(names, batch[:len(names)]))
        return features if y is None else (features, batch[-1])

    total = n * (2 if transformed_copy else 1)
    order = tf.data.Dataset.range(total)
    if shuffle:
        order = order.shuffle(total, seed=seed, reshuffle_each_iteration=True)
    order = order.batch(batch_size)
    if shuffle and epochs is not None:
        steps = steps_per_epoch(n, batch_size, transformed_copy)
        # every other permutation of the seed's stream, as Keras drew them when it iterated the
        # data twice per epoch (biodl up to 0.1 reshuffled per iteration): the same seed keeps
        # giving the same models and figures
        order = (order.repeat().enumerate().filter(lambda i, _: (i // steps) % 2 == 0).map(lambda _, batch: batch)
                 .skip(first_epoch * steps).take((epochs - first_epoch) * steps))
    data = order.map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return data.prefetch(tf.data.AUTOTUNE)


def checkpoint_dir_for(model_path: io.PathLike) -> Path:
    """The folder where :func:`fit` keeps the checkpoint of the model it writes to
    ``model_path``: ``<model>.checkpoint/`` beside it, removed once the model is written."""
    path = Path(model_path)
    return path.with_name(path.name.removesuffix(".keras") + ".checkpoint")


def fit(
    model,
    train: tuple[np.ndarray, np.ndarray],
    val: tuple[np.ndarray, np.ndarray],
    settings: TrainingSettings,
    *,
    task: str | None = None,
    loss: Any = None,
    metrics: list | None = None,
    seed: int = 1,
    augment: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None,
    transformed_copy: Callable[[np.ndarray], np.ndarray] | None = None,
    history_path: io.PathLike | None = None,
    model_path: io.PathLike | None = None,
    callbacks: Sequence = (),
    verbose: int = 2,
) -> pd.DataFrame:
    """Compile and fit ``model`` with early stopping on validation loss.

    Parameters
    ----------
    model
        An uncompiled Keras model from a ``biodl.models`` builder.
    train, val
        ``(inputs, targets)`` arrays. Validation data drives early stopping only; the
        test split never reaches this function.
    settings
        Epochs, batch size, learning rate and patience (:class:`TrainingSettings`); the
        weights of the epoch with the lowest validation loss are kept.
    task, loss
        The loss is ``loss`` if given, else the standard one for ``task``
        (:data:`LOSSES`); models with ``computes_own_loss`` (the autoencoders) need neither.
    metrics
        Extra Keras metrics to log per epoch.
    seed
        Seed for the shuffling of the training data.
    augment
        Applied once to the training arrays (e.g. window slices of time series).
    transformed_copy
        Each epoch also trains on every training row through this function, applied per
        batch in the input pipeline, not by copying the data (:func:`make_dataset`): the
        reverse complement of DNA.
    history_path, model_path
        Where to write the per-epoch history (TSV) and the model (``.keras``), atomically.
        With a ``model_path``, every epoch also writes a checkpoint (weights, optimizer
        state, early-stopping state and history) to :func:`checkpoint_dir_for`, and a run
        killed part-way resumes from it when the same training starts again: the epochs
        continue where they stopped. The checkpoint is removed once the model is written,
        and ignored (replaced) when the model, data shapes or settings differ. The model and
        history of a resumed run are byte for byte those of an uninterrupted one.
    callbacks
        Further Keras callbacks (e.g. the pruning of :mod:`biodl.search`), after early
        stopping's.

    Returns
    -------
    pandas.DataFrame
        One row per epoch: ``epoch``, losses and metrics.
    """
    import keras

    if loss is None and not getattr(model, "computes_own_loss", False):
        if task not in LOSSES:
            raise ValueError(f"give a loss or a task out of {sorted(LOSSES)}; got task {task!r}")
        loss = LOSSES[task]
    x_train, y_train = train
    if _n_rows(val[0]) == 0:
        raise ValueError("no validation samples: early stopping and the choice of the best epoch need some; "
                         "raise val_fraction in the split settings, or mark some rows 'val' in the split column")
    if augment is not None:
        x_train, y_train = augment(x_train, y_train)
    model.compile(optimizer=keras.optimizers.Adam(settings.learning_rate), loss=loss, metrics=metrics)
    checkpoint = None
    if model_path is not None:
        checkpoint = Checkpoint(checkpoint_dir_for(model_path),
                                _fingerprint(model, settings, seed, x_train, y_train, val, transformed_copy))
    state = checkpoint.restore(model) if checkpoint else None
    stopping = _early_stopping(settings.patience, checkpoint, state)
    if state is not None:
        log.info("resuming from the checkpoint in %s after epoch %d of %d", checkpoint.directory,
                 state["epoch"], settings.epochs)
    if not stopping.finished:
        model.fit(
            make_dataset(x_train, y_train, settings.batch_size, shuffle=True, seed=seed,
                         transformed_copy=transformed_copy, epochs=settings.epochs,
                         first_epoch=state["epoch"] if state else 0),
            validation_data=make_dataset(*val, settings.batch_size),
            epochs=settings.epochs, initial_epoch=state["epoch"] if state else 0, callbacks=[stopping, *callbacks],
            steps_per_epoch=steps_per_epoch(_n_rows(x_train), settings.batch_size, transformed_copy),
            verbose=verbose, shuffle=False,
            class_weight=class_weights(y_train, task, getattr(settings, "class_weight", "none")),
        )
    stopping.keep_best_weights(model)
    history = pd.DataFrame(stopping.rows)
    best = int(history["val_loss"].idxmin())
    history["best"] = history.index == best
    log.info("trained %d epochs; best epoch %d with val_loss %.4f", len(history), best + 1,
             history["val_loss"].iloc[best])
    if history_path is not None:
        io.write_table(history_path, history, index=False)
    if model_path is not None:
        save_model(model, model_path)
        checkpoint.remove()
    return history


def _fingerprint(model, settings: TrainingSettings, seed: int, x_train, y_train, val, transformed_copy) -> str:
    """What a checkpoint must match to be resumed: the model, the settings, the seed, the
    shapes of the data and the transformed copy."""
    import hashlib
    import json

    def shapes(data):
        if isinstance(data, Mapping):
            return {key: shapes(value) for key, value in sorted(data.items())}
        return list(np.shape(data))

    described = {"model": model.to_json(), "settings": repr(settings), "seed": seed,
                 "data": [shapes(x_train), shapes(y_train), shapes(val[0]), shapes(val[1])],
                 "transformed_copy": getattr(transformed_copy, "__qualname__", repr(transformed_copy))}
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


class Checkpoint:
    """The training state of one :func:`fit`, kept in ``directory`` after every epoch.

    ``state.json`` is the commit point: it is replaced atomically once the weight files it
    names are complete, so a kill at any moment leaves the previous epoch's state intact.
    With the optimizer's state (in the weight files), the random generators' states (in
    ``state.json``) and the epoch-seeded batch order of :func:`make_dataset`, a resumed
    training ends with the same model, byte for byte, as an uninterrupted one.
    """

    def __init__(self, directory: io.PathLike, fingerprint: str):
        self.directory = Path(directory)
        self.fingerprint = fingerprint

    @property
    def state_path(self) -> Path:
        return self.directory / "state.json"

    def restore(self, model) -> dict | None:
        """Load the saved weights and optimizer state into ``model`` and return the saved
        state, or ``None`` when there is no checkpoint or it belongs to other training."""
        import json

        if not self.state_path.is_file():
            return None
        state = json.loads(self.state_path.read_text())
        if state.get("fingerprint") != self.fingerprint:
            log.warning("%s holds the checkpoint of other training (model, data or settings differ); "
                        "starting afresh", self.directory)
            self.remove()
            return None
        model.optimizer.build(model.trainable_variables)
        model.load_weights(self.directory / state["last_weights"])
        for variable, value in zip(_random_states(model), state.get("random_states", []), strict=True):
            variable.assign(np.asarray(value, dtype=variable.dtype))
        return state

    def save(self, model, state: dict, best_improved: bool) -> dict:
        """Write this epoch's weights (and the best ones when they improved), then the state."""
        import json

        self.directory.mkdir(parents=True, exist_ok=True)
        epoch = state["epoch"]
        state = {**state, "fingerprint": self.fingerprint, "last_weights": f"epoch-{epoch}.weights.h5",
                 "random_states": [np.asarray(variable).tolist() for variable in _random_states(model)]}
        model.save_weights(self.directory / state["last_weights"], overwrite=True)
        if best_improved:
            state["best_weights"] = f"best-{epoch}.weights.h5"
            model.save_weights(self.directory / state["best_weights"], overwrite=True)
        with io.atomic_output(self.state_path) as tmp:
            tmp.write_text(json.dumps(state))
        keep = {"state.json", state["last_weights"], state.get("best_weights")}
        for old in self.directory.glob("*.weights.h5"):
            if old.name not in keep:
                old.unlink()
        return state

    def load_best(self, model, state: dict) -> None:
        model.load_weights(self.directory / state["best_weights"])

    def remove(self) -> None:
        import shutil

        shutil.rmtree(self.directory, ignore_errors=True)


def _random_states(model) -> list:
    """The states of the model's random number generators (dropout's): Keras does not save
    them with the weights, so the checkpoint keeps them to resume the same random draws."""
    return [variable for variable in model.non_trainable_variables if "seed_generator_state" in variable.path]


def _early_stopping(patience: int, checkpoint: Checkpoint | None, state: dict | None):
    """A Keras callback (made here, so importing this module does not import Keras)."""
    import keras

    class EarlyStopping(keras.callbacks.Callback):
        """Stop after ``patience`` epochs without a lower validation loss and keep the best
        epoch's weights. The history rows are its whole state (the best epoch and the wait
        follow from them); they go into the checkpoint every epoch, so a resumed run stops
        and keeps the same epoch as an uninterrupted one would."""

        def __init__(self, patience: int, checkpoint: Checkpoint | None, state: dict | None):
            super().__init__()
            self.patience = patience
            self.checkpoint = checkpoint
            self.state = state or {"rows": []}
            self.best_weights = None

        @property
        def rows(self) -> list[dict]:
            return self.state["rows"]

        def epochs_since_best(self) -> int:
            losses = [row["val_loss"] for row in self.rows]
            return len(losses) - 1 - int(np.argmin(losses))

        @property
        def finished(self) -> bool:
            return bool(self.rows) and self.epochs_since_best() >= self.patience

        def on_epoch_end(self, epoch, logs=None):
            self.state = {**self.state, "epoch": epoch + 1,
                          "rows": self.rows + [{"epoch": epoch + 1, **{k: float(v) for k, v in logs.items()}}]}
            improved = self.epochs_since_best() == 0
            if improved:
                self.best_weights = self.model.get_weights()
            if self.finished:
                self.model.stop_training = True
            if self.checkpoint:
                self.state = self.checkpoint.save(self.model, self.state, improved)

        def keep_best_weights(self, model) -> None:
            if self.best_weights is not None:
                model.set_weights(self.best_weights)
            elif self.state.get("best_weights"):
                self.checkpoint.load_best(model, self.state)

    return EarlyStopping(patience, checkpoint, state)


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
    import json
    import re
    import zipfile

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
    import zipfile

    import keras

    import biodl.models.autoencoder  # noqa: F401  (register the custom classes for loading)
    import biodl.models.gaf  # noqa: F401

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


def predict(model, x, batch_size: int = 256) -> np.ndarray:
    """Model outputs for ``x`` (an array, :class:`~biodl.io.arrays.StoredRows` or a dict of
    arrays) in batches read one at a time, as float32 numpy."""
    outputs = model.predict(make_dataset(x, None, batch_size), verbose=0)
    return np.asarray(outputs, dtype=np.float32)
