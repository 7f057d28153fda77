"""Analysis: the spaCy pipeline and onrecord's own steps over it (pipeline.py gives the order)."""
