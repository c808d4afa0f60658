"""Layer 2, input and output of data: the safe expression parser, model files, JSON,
atomic writes and the disk cache.  Depends on the core only."""
