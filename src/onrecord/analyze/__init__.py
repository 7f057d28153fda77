"""Analysis: the spaCy pipeline and onrecord's own steps over it (see engine.py for the order)."""
