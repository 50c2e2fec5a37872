"""Training: the one ``fit`` every model goes through, and what surrounds it.

- :mod:`biodl.training.session`: :func:`configure` TensorFlow (seeds, threads, devices);
- :mod:`biodl.training.settings`: :class:`TrainingSettings`, losses, class weights;
- :mod:`biodl.training.pipeline`: the ``tf.data`` input pipeline;
- :mod:`biodl.training.fitting`: :func:`fit`, checkpoints and early stopping;
- :mod:`biodl.training.model_files`: saving, loading, checking and applying models;
- :mod:`biodl.training.search`: choosing settings on validation data (Optuna);
- :mod:`biodl.training.transfer`: starting from a trained model.

TensorFlow is imported inside the functions that need it (the one lazy-import pattern of
biodl, see ``docs/architecture.md``), so importing this package stays fast.
"""

from biodl.training.fitting import fit
from biodl.training.model_files import (
    canonical_keras_archive,
    check_model_inputs,
    check_model_outputs,
    load_model,
    output_logits,
    predict,
    save_model,
)
from biodl.training.pipeline import make_dataset, steps_per_epoch
from biodl.training.session import configure, runtime
from biodl.training.settings import LOSSES, TrainingSettings, class_weights, keyword_settings

__all__ = [
    "LOSSES", "TrainingSettings", "canonical_keras_archive", "check_model_inputs", "check_model_outputs",
    "class_weights", "configure", "fit", "keyword_settings", "load_model", "make_dataset", "output_logits", "predict",
    "runtime", "save_model", "steps_per_epoch",
]
