"""TensorFlow's set-up for a run: :func:`configure` (seeds, threads, determinism, mixed
precision, devices and their distribution strategy) and :func:`runtime` (what it set, for
logs and metrics files). Call it once, before any TensorFlow work, as the command line does."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

log = logging.getLogger(__name__)


_RUNTIME: dict[str, Any] = {}
"""What :func:`configure` set for this process (one TensorFlow set-up per process)."""


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
