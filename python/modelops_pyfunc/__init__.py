"""ModelOps ensembles as MLflow pyfunc models.

A model saved by ModelOps carries this package in its ``code/`` folder and names it as the
``loader_module`` of its ``python_function`` flavor, so MLflow loads it with::

    import mlflow
    model = mlflow.pyfunc.load_model("models:/churn/Production")
    model.predict(df)                                   # labels (or values, for regression)
    model.predict(df, params={"predict_proba": True})   # class probabilities, one column per class

It reads the model's versioned JSON payload (``model.json``) with numpy and pandas only: no
pickle, nothing evaluated. Predictions and probabilities are the ones ModelOps computes.
"""

from ._envelope import FORMAT
from ._errors import ModelOpsPyfuncError
from ._model import EnsembleModel, load

__all__ = ["FORMAT", "EnsembleModel", "ModelOpsPyfuncError", "load", "_load_pyfunc"]
__version__ = "0.1.0"


def _load_pyfunc(path):
    """MLflow's loader hook: `path` is the flavor's `data` (model.json) inside the model directory."""
    return load(path)
