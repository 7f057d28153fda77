"""Models trained by the project (see analyze/confidence.py and evaluate/train.py)."""
