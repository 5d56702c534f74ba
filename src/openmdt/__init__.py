"""OpenMDT: open, explainable decision support for cancer MDT meetings."""

__version__ = "0.1.0"
