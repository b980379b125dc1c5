"""GPU (NVML) and host sampling that returns frozen snapshots; no GPU is a state, not a crash."""
