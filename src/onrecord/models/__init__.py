"""Models trained by the project (see analyze/scoring.py and train/)."""
