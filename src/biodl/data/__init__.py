"""Data preparation: DNA as one-hot arrays (:mod:`~biodl.data.dna`), motif matrices
(:mod:`~biodl.data.pwm`), windows cut from regions on a genome (:mod:`~biodl.data.windows`),
series as Gramian angular field images (:mod:`~biodl.data.gaf_images`), labels as targets
(:mod:`~biodl.data.targets`), train/val/test splits (:mod:`~biodl.data.splits`), the arrays
a model reads (:mod:`~biodl.data.datasets`) and the demo data (:mod:`~biodl.data.simulate`)."""
