"""Interpretation of trained sequence models, one module per step:

- :mod:`biodl.interpret.attribution`: saliency, gradient x input, integrated gradients,
  ISM, and :func:`~biodl.interpret.attribution.attribute` (the ``attribute`` step);
- :mod:`biodl.interpret.filters`: first-layer filters as PPMs (``filter_motifs``);
- :mod:`biodl.interpret.modisco`: TF-MoDISco patterns (``modisco``);
- :mod:`biodl.interpret.compare`: TOMTOM against known motifs and FIMO sites (``tomtom``,
  ``fimo``). Known motifs come from :func:`biodl.io.jaspar.motif_database`, logos from
  :mod:`biodl.evaluation.plots`.
"""
