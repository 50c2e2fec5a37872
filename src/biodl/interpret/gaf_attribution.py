"""What a GAF CNN looks at, in time: attributions on its Gramian angular field images
mapped back to the time points of the series.

A GASF/GADF pixel ``(i, j)`` combines PAA segments ``i`` and ``j`` of the series (of its
window, for multi-scale images), so half of its attribution goes to each of the two
segments, and a segment's share is spread over its time points. The image attributions
are integrated gradients of the explained class's logit from a zero image (GAF value 0:
the two angles at right angles).
"""

from __future__ import annotations

import numpy as np

from biodl.data.gaf_images import DEFAULT_SCALES, window_paa_matrix

IG_STEPS = 16
"""Points on the integrated-gradients path, unless a caller says otherwise."""


def image_logit_model(model):
    """``(images -> pre-activation of the output layer)`` of a GAF CNN, whether it reads
    stored images or computes them from series (its ``GramianAngularField`` layer), and that
    layer (``None`` for an image model)."""
    import keras

    head = model.get_layer("output")
    gaf = next((layer for layer in model.layers if type(layer).__name__ == "GramianAngularField"), None)
    if gaf is None and len(model.input_shape) != 4:
        raise ValueError(f"model {model.name!r} reads neither images nor series through a GramianAngularField layer")
    return keras.Model(gaf.output if gaf is not None else model.inputs, head.input), gaf


def image_attributions(model, images: np.ndarray, classes: np.ndarray, steps: int = IG_STEPS,
                       batch_size: int = 64) -> np.ndarray:
    """Integrated gradients (zero baseline) of each image's ``classes`` logit on
    ``(N, S, S, C)`` GAF images; the same shape back."""
    import tensorflow as tf

    body, _ = image_logit_model(model)
    head = model.get_layer("output")
    kernel = tf.convert_to_tensor(head.kernel)
    bias = tf.convert_to_tensor(head.bias) if head.use_bias else tf.zeros(kernel.shape[-1])

    @tf.function(reduce_retracing=True)
    def gradient(x, columns):
        with tf.GradientTape() as tape:
            tape.watch(x)
            logits = tf.matmul(tf.cast(body(x, training=False), tf.float32), kernel) + bias
            chosen = tf.gather(logits, columns, axis=1, batch_dims=1)
        return tape.gradient(chosen, x)

    images = np.asarray(images, dtype=np.float32)
    classes = np.asarray(classes, dtype=np.int64)
    alphas = (np.arange(steps, dtype=np.float32) + 0.5) / steps  # midpoint rule
    result = np.zeros_like(images)
    for start in range(0, len(images), batch_size):
        x, columns = images[start:start + batch_size], classes[start:start + batch_size]
        total = np.zeros_like(x)
        for alpha in alphas:
            total += np.asarray(gradient(tf.constant(alpha * x), tf.constant(columns)))
        result[start:start + len(x)] = total / steps * x
    return result


def to_time_points(pixel_attributions: np.ndarray, length: int, scales=DEFAULT_SCALES, n_encodings: int = 1
                   ) -> np.ndarray:
    """``(N, S, S, C)`` image attributions -> ``(N, length)`` attributions of time points:
    pixel ``(i, j)`` gives half to PAA segment ``i`` and half to ``j`` of its window; a
    segment's share is spread evenly over its points. Totals are kept.

    ``scales`` and ``n_encodings`` give the images' channel layout (series channel, window,
    encoding: :func:`biodl.data.gaf_images.gaf_images`); the encodings' count matters only with
    several windows."""
    pixels = np.asarray(pixel_attributions, dtype=np.float64)
    n, size = pixels.shape[:2]
    matrix = window_paa_matrix(length, size, scales)  # each segment's column sums to 1
    windows = matrix.shape[-1]
    per_window = pixels.reshape(n, size, size, -1, windows, n_encodings).sum(axis=(3, 5))
    per_segment = (per_window.sum(axis=2) + per_window.sum(axis=1)) / 2  # (N, S, W)
    return np.einsum("nsw,tsw->nt", per_segment, matrix)


def time_attributions(model, series: np.ndarray, images: np.ndarray | None, classes: np.ndarray,
                      steps: int = IG_STEPS, scales=DEFAULT_SCALES, encodings=("gasf", "gadf")) -> np.ndarray:
    """Attributions of each series' time points for the class ``classes`` names.

    Parameters
    ----------
    model
        A GAF CNN (:func:`biodl.models.build_cnn2d`), on stored images or on series.
    series
        ``(N, T, C)`` series.
    images
        Their stored ``(N, S, S, C')`` images, for a model that reads images; ``None`` for
        one that computes them.
    classes
        Class index explained per series (e.g. its true class).
    steps
        Points on the integrated-gradients path (midpoint rule).
    scales, encodings
        Of stored images (the prepared report's); a model that computes its images knows
        its own.

    Returns
    -------
    numpy.ndarray
        ``(N, T)``.
    """
    _, gaf = image_logit_model(model)
    if gaf is not None:
        images = np.asarray(gaf(np.asarray(series, dtype=np.float32)))
        scales, encodings = gaf.scales, gaf.encodings
    elif images is None:
        raise ValueError("this GAF CNN reads stored images: give them")
    attributions = image_attributions(model, images, classes, steps)
    return to_time_points(attributions, int(series.shape[1]), scales, len(encodings))
