"""Photo import: folder scan, timestamps, content hash, camera from folder."""
