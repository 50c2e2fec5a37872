"""Evaluation and reporting: metrics on held-out data (:mod:`~biodl.evaluation.metrics`),
the baselines beside every model (:mod:`~biodl.evaluation.baselines`,
:mod:`~biodl.evaluation.dtw`), the figures (:mod:`~biodl.evaluation.plots`) and the summary
of a run (:mod:`~biodl.evaluation.summary`)."""
