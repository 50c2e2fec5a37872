"""Several devices: the CPU split into two logical devices stands in for two GPUs; the same
model trains under MirroredStrategy, predicts, and the run records devices and strategy."""

import json
import subprocess
import sys

SCRIPT = """
import json, sys
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from biodl import training
from biodl.steps.runner import log_to_stderr
log_to_stderr()
from biodl.models import build_cnn1d
from biodl.sequences import SequenceTraining
settings = training.configure(seed=1, threads=2, devices=["/cpu:0", "/cpu:1"])
rng = np.random.default_rng(0)
x = rng.integers(0, 2, (256, 30, 4)).astype(np.float32)
y = (x[:, 10:15, 0].sum(axis=1) > 2).astype(np.float32)[:, None]
model = build_cnn1d((30, 4), 1, "binary", filters=(8,), kernel_sizes=(5,), pool_sizes=(1,), dense_units=(8,))
history = training.fit(model, (x[:192], y[:192]), (x[192:], y[192:]),
                       SequenceTraining(epochs=4, batch_size=32, learning_rate=0.01, patience=4), task="binary",
                       verbose=0, model_path=sys.argv[1])
scores = training.predict(training.load_model(sys.argv[1]), x[192:])
print(json.dumps({"settings": settings, "replicas_of_model": model.distribute_strategy.num_replicas_in_sync,
                  "epochs": len(history), "scores_shape": list(scores.shape),
                  "finite": bool(np.isfinite(scores).all()), "runtime": training.runtime()}))
"""


def test_model_trains_and_predicts_mirrored_over_two_logical_devices(tmp_path):
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "model.keras")], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["runtime"] == {"devices": ["/cpu:0", "/cpu:1"], "precision": "float32",
                                 "strategy": "MirroredStrategy", "replicas": 2}
    assert report["replicas_of_model"] == 2 and report["epochs"] == 4
    assert report["scores_shape"] == [64, 1] and report["finite"]
    logged = "configured: {'devices': ['/cpu:0', '/cpu:1'], 'precision': 'float32', 'strategy': 'MirroredStrategy'"
    assert logged in result.stderr


def test_an_empty_device_list_is_refused(keras):
    import pytest

    from biodl import training

    with pytest.raises(ValueError, match="at least one device"):
        training.configure(devices=[])
