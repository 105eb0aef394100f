"""A runnable demonstration: the whole journey of a Fabrique in a simulated Discord (``python -m bot demo``)."""
