"""The one training path: every biodl model is compiled and fitted by :func:`fit`, with
checkpoints that resume a killed run where it stopped and early stopping on the validation
loss. The defaults of ``epochs``, ``batch_size``, ``learning_rate`` and ``patience`` belong to
each data type's ``train`` step (:func:`biodl.sequences.train`, :func:`biodl.timeseries.train`,
:func:`biodl.omics.train`); :func:`fit` takes them explicitly."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from biodl import io
from biodl.training.model_files import save_model
from biodl.training.pipeline import BatchSource, make_dataset, n_rows, steps_per_epoch
from biodl.training.settings import LOSSES, TrainingSettings, class_weights

log = logging.getLogger(__name__)


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
    loss_weights: Mapping[str, float] | None = None,
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
        ``(inputs, targets)`` arrays, or ``(source, None)`` for a
        :class:`~biodl.training.pipeline.BatchSource` that cuts its own batches (and draws its
        augmentations in training). Validation data drives early stopping only; the test
        split never reaches this function.
    settings
        Epochs, batch size, learning rate and patience (:class:`TrainingSettings`); the
        weights of the epoch with the lowest validation loss are kept.
    task, loss
        The loss is ``loss`` if given, else the standard one for ``task``
        (:data:`LOSSES`); models with ``computes_own_loss`` (the autoencoders) need neither.
    loss_weights
        Weight of each output's loss for a model with several named outputs.
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
        Further Keras callbacks (e.g. the pruning of :mod:`biodl.training.search`), after early
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
    if n_rows(val[0]) == 0:
        raise ValueError("no validation samples: early stopping and the choice of the best epoch need some; "
                         "raise val_fraction in the split settings, or mark some rows 'val' in the split column")
    if augment is not None:
        x_train, y_train = augment(x_train, y_train)
    model.compile(optimizer=keras.optimizers.Adam(settings.learning_rate), loss=loss, loss_weights=loss_weights,
                  metrics=metrics)
    checkpoint = None
    if model_path is not None:
        checkpoint = Checkpoint(checkpoint_dir_for(model_path),
                                _fingerprint(model, settings, seed, x_train, y_train, val, transformed_copy))
    state = checkpoint.restore(model) if checkpoint else None
    stopping = _early_stopping(settings.patience, checkpoint, state, getattr(settings, "reduce_lr_patience", 0))
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
            steps_per_epoch=steps_per_epoch(n_rows(x_train), settings.batch_size, transformed_copy),
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

    def shapes(data):
        if isinstance(data, BatchSource):
            inputs, targets = data.batch(np.zeros(0, dtype=np.int64))
            return [len(data), shapes(inputs), shapes(targets)]
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
        shutil.rmtree(self.directory, ignore_errors=True)


def _random_states(model) -> list:
    """The states of the model's random number generators (dropout's): Keras does not save
    them with the weights, so the checkpoint keeps them to resume the same random draws."""
    return [variable for variable in model.non_trainable_variables if "seed_generator_state" in variable.path]


LR_FACTOR = 0.5
"""With ``reduce_lr_patience``, the learning rate is multiplied by this on each plateau ..."""
MIN_LEARNING_RATE = 1e-4
"""... down to this (Fawaz et al. 2019's ResNet protocol)."""


def _early_stopping(patience: int, checkpoint: Checkpoint | None, state: dict | None, reduce_lr_patience: int = 0):
    """A Keras callback (made here, so importing this module does not import Keras)."""
    import keras

    class EarlyStopping(keras.callbacks.Callback):
        """Stop after ``patience`` epochs without a lower validation loss and keep the best
        epoch's weights; with ``reduce_lr_patience``, halve the learning rate (down to
        :data:`MIN_LEARNING_RATE`) every that many epochs without one. The history rows
        are its whole state (the best epoch, the wait and the learning rate follow from
        them); they go into the checkpoint every epoch, so a resumed run stops, keeps the
        same epoch and trains at the same rate as an uninterrupted one would."""

        def __init__(self, patience: int, checkpoint: Checkpoint | None, state: dict | None, reduce_lr_patience: int):
            super().__init__()
            self.patience = patience
            self.reduce_lr_patience = reduce_lr_patience
            self.checkpoint = checkpoint
            self.state = state or {"rows": []}
            self.best_weights = None

        def on_train_begin(self, logs=None):
            if self.reduce_lr_patience and self.rows:
                self.model.optimizer.learning_rate.assign(self.rows[-1]["learning_rate"])

        def _reduce_learning_rate(self) -> None:
            rate = self.model.optimizer.learning_rate
            wait = self.epochs_since_best()
            if wait and wait % self.reduce_lr_patience == 0:
                rate.assign(max(float(rate.numpy()) * LR_FACTOR, min(MIN_LEARNING_RATE, float(rate.numpy()))))
                log.info("no lower validation loss for %d epochs: learning rate %.2g", wait, float(rate.numpy()))
            self.rows[-1]["learning_rate"] = float(rate.numpy())

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
            if self.reduce_lr_patience:
                self._reduce_learning_rate()
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

    return EarlyStopping(patience, checkpoint, state, reduce_lr_patience)
