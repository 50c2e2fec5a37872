"""The ``tf.data`` input pipeline of :func:`biodl.training.fitting.fit`: batches of arrays or
rows read from disk, shuffled per epoch, with on-the-fly augmentation."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Protocol, runtime_checkable

import numpy as np

log = logging.getLogger(__name__)


def n_rows(x) -> int:
    """Rows of model inputs: an array, :class:`~biodl.io.arrays.StoredRows`, or a dict of them."""
    return len(next(iter(x.values())) if isinstance(x, Mapping) else x)


def steps_per_epoch(n: int, batch_size: int, transformed_copy: Callable | None = None) -> int:
    """Batches in one epoch of :func:`make_dataset` over ``n`` rows (twice that with a transformed copy)."""
    return -(-n * (2 if transformed_copy else 1) // batch_size)


@runtime_checkable
class BatchSource(Protocol):
    """Data that cut their own batches, as :class:`biodl.data.profile_windows.ProfileWindows` does:
    ``len()`` rows, and ``batch(rows, rng)`` the ``(inputs, targets)`` of those rows, each a
    float32 array or a dict of them, drawing any augmentation from ``rng`` (``None``: none)."""

    def __len__(self) -> int: ...

    def batch(self, rows: np.ndarray, rng: np.random.Generator | None = None) -> tuple: ...


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
        multi-input models. Integer inputs are cast to float32 per batch. Or a
        :class:`BatchSource`, which cuts each batch's inputs and targets itself (``y`` is
        then ``None``): with ``shuffle`` it draws its augmentations from a generator seeded
        by ``seed`` and the batch's number, so a seed gives the same batches every run.
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
        the pipeline (the data are never copied): e.g. :func:`biodl.data.dna.reverse_complement`.
        Only for a single input array.

    Returns
    -------
    tf.data.Dataset
        ``(x, y)`` batches (``x`` alone without ``y``), prefetched.
    """
    import tensorflow as tf

    if isinstance(x, BatchSource):
        if transformed_copy is not None:
            raise ValueError("transformed_copy works on arrays; a batch source draws its own augmentations")
        n = len(x)

        def gather(number: np.ndarray, order: np.ndarray):
            rng = np.random.default_rng([seed, int(number)]) if shuffle else None
            return x.batch(np.sort(order), rng)
    else:
        n = n_rows(x)
        gather = _array_gather(x, y, transformed_copy)
    empty = gather(np.int64(0), np.zeros(0, dtype=np.int64))
    leaves = tf.nest.flatten(empty)

    def load(number, order):
        flat = tf.numpy_function(lambda i, o: tf.nest.flatten(gather(i, o)), [number, order],
                                 [tf.as_dtype(leaf.dtype) for leaf in leaves], stateful=False)
        for tensor, leaf in zip(flat, leaves):
            tensor.set_shape((None,) + tuple(leaf.shape[1:]))
        return tf.nest.pack_sequence_as(empty, flat)

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
    data = order.enumerate().map(load, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return data.prefetch(tf.data.AUTOTUNE)


def _array_gather(x, y: np.ndarray | None, transformed_copy: Callable | None) -> Callable:
    """The batch of arrays (or :class:`~biodl.io.arrays.StoredRows`, or a dict of them) at
    row numbers ``order``; numbers from ``len(x)`` on are rows through ``transformed_copy``."""
    inputs = x if isinstance(x, Mapping) else {"": x}
    names = sorted(inputs)
    n = n_rows(x)
    if transformed_copy is not None and len(names) > 1:
        raise ValueError("transformed_copy works on single-input models only")
    columns = [inputs[name] for name in names] + ([] if y is None else [y])
    dtypes = [np.float32 if np.issubdtype(c.dtype, np.integer) and i < len(names) else c.dtype
              for i, c in enumerate(columns)]

    def gather(number: np.ndarray, order: np.ndarray):
        order = np.sort(order)  # the order inside a batch does not matter; sorted rows read faster
        rows = order % n
        batch = [np.asarray(column[rows]).astype(dtype, copy=False) for column, dtype in zip(columns, dtypes)]
        if transformed_copy is not None:
            copy = order >= n
            if copy.any():
                batch[0][copy] = transformed_copy(batch[0][copy])
        features = batch[0] if names == [""] else dict(zip(names, batch[:len(names)]))
        return features if y is None else (features, batch[-1])

    return gather
