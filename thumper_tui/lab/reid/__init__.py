"""The identity embedder's lab: truth crops, training views, fitting, the replay, evaluation."""
