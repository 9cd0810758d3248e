"""Pieces the coordination records share beyond `core` (API output of clocks and timelines)."""
