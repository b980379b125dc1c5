"""Re-identification at run time: the identity embedder and clustering detections into deer.

Nothing here needs a database; training and the threshold replay live in
:mod:`thumper_tui.lab.reid`."""
