"""Everything `make train` runs: the models onrecord ships, learned from PolNeAR train only."""
