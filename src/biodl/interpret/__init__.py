"""Interpretation of trained sequence models: attributions, filters, motifs, logos."""
