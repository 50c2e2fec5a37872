"""Gramian angular fields of 4,000 series of 512 points as 64-px GASF + GADF images:
pyts (the stored-image path, gaf_images) against the TensorFlow path the GAF CNN uses on
the fly (its GramianAngularField layer on batches, each batch's images consumed and
dropped, as a model's first layer does), and the TensorFlow path at scales (1, 4): the whole
series and its quarters, five images per series. Each path runs in its own process for a
clean peak memory. Prints one JSON line; the headline is the TensorFlow path."""

import json
import resource
import subprocess
import sys

import numpy as np
from _timing import emit, load_average, rate, time_calls

N_SERIES, LENGTH, IMAGE_SIZE, BATCH, REPEATS = 4000, 512, 64, 256, 5
MULTISCALE = (1, 4)


def measure(path: str) -> dict:
    series = np.random.default_rng(0).normal(size=(N_SERIES, LENGTH, 1)).cumsum(axis=1)
    if path == "pyts":
        from biodl.data.gaf_images import gaf_images

        run = lambda: gaf_images(series, IMAGE_SIZE)  # noqa: E731
    else:
        from biodl import training

        training.configure(seed=0)
        import tensorflow as tf

        from biodl.models.gaf_layers import GramianAngularField

        layer = GramianAngularField(IMAGE_SIZE, scales=MULTISCALE if path == "multiscale" else (1,))
        batches = tf.data.Dataset.from_tensor_slices(series.astype(np.float32)).batch(BATCH).prefetch(2)
        consume = tf.function(lambda batch: tf.reduce_max(layer(batch)))

        def run():
            for batch in batches:
                consume(batch)

    seconds = time_calls(run, REPEATS)
    median, best = rate(N_SERIES, seconds)
    return {"median": median, "best": best,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    if len(sys.argv) > 1:
        print(json.dumps(measure(sys.argv[1])))
        return
    load = load_average()
    figures = {}
    for path in ("pyts", "tensorflow", "multiscale"):
        out = subprocess.run([sys.executable, __file__, path], capture_output=True, text=True, check=True)
        figures[path] = json.loads(out.stdout.strip().splitlines()[-1])
    tf_path, pyts = figures["tensorflow"], figures["pyts"]
    emit("gaf", "images/s", tf_path["median"], tf_path["best"], REPEATS, load,
         series=N_SERIES, length=LENGTH, image_size=IMAGE_SIZE, encodings="gasf+gadf", batch=BATCH,
         tensorflow_peak_rss_mb=tf_path["peak_rss_mb"], pyts_median_images_per_s=round(pyts["median"]),
         pyts_best_images_per_s=round(pyts["best"]), pyts_peak_rss_mb=pyts["peak_rss_mb"],
         multiscale_scales=list(MULTISCALE), multiscale_median_series_per_s=round(figures["multiscale"]["median"]),
         multiscale_peak_rss_mb=figures["multiscale"]["peak_rss_mb"])


if __name__ == "__main__":
    main()
