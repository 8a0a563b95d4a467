"""kumo: a serverless cloud on your own machine that speaks the AWS wire protocols."""

__version__ = "0.1.0"

__all__ = ["__version__"]
