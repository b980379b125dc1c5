"""The synthetic ranch: cameras, a herd of individual deer, photos with ground truth."""
