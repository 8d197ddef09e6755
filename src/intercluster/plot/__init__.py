"""Figures (matplotlib); nothing else in intercluster draws (DESIGN.md, "Layers")."""
