"""Re-identification: the identity embedder, its training, and clustering detections into deer."""
