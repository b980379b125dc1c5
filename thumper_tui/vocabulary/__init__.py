"""The words every layer shares: boxes, deer categories, the embedding codec, B-cubed, durations.

A leaf: it imports nothing of Thumper's, so any module may import it.
"""
