"""Docking cases: special cases of the engine against published or closed-form results."""
