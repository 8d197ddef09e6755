"""Figures (matplotlib, Agg backend); nothing else in intercluster draws (DESIGN.md, "Layers")."""
