"""Gramian angular field throughput: pyts (stored images) against the TensorFlow path
(images made on the fly); each measured in its own process for a clean peak memory.
Prints one JSON line."""

import json
import resource
import subprocess
import sys
import time

import numpy as np

N_SERIES, LENGTH, IMAGE_SIZE = 4000, 512, 64


def measure(path: str) -> dict:
    series = np.random.default_rng(0).normal(size=(N_SERIES, LENGTH, 1)).cumsum(axis=1)
    if path == "pyts":
        from biodl.gaf import gaf_images

        run = lambda: gaf_images(series, IMAGE_SIZE)  # noqa: E731
    else:
        from biodl import training

        training.configure(seed=0)
        from biodl.gaf import gaf_tensorflow

        run = lambda: np.asarray(gaf_tensorflow(series, IMAGE_SIZE))  # noqa: E731
    run()
    times = []
    for _ in range(3):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"images_per_s": round(N_SERIES / min(times)), "peak_rss_mb": round(peak_mb)}


def main() -> None:
    if len(sys.argv) > 1:
        print(json.dumps(measure(sys.argv[1])))
        return
    result = {"benchmark": "gaf", "series": N_SERIES, "length": LENGTH, "image_size": IMAGE_SIZE,
              "encodings": ["gasf", "gadf"]}
    for path in ("pyts", "tensorflow"):
        out = subprocess.run([sys.executable, __file__, path], capture_output=True, text=True, check=True)
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        result.update({f"{path}_{key}": value for key, value in figures.items()})
    print(json.dumps(result))


if __name__ == "__main__":
    main()
