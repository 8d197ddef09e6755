"""Figures (matplotlib, Agg backend). Nothing else in intercluster draws."""
