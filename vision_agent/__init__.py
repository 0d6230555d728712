"""Vision Agent: four deep-learning vision programs behind one PyQt5 window."""

__version__ = "0.1.0"
