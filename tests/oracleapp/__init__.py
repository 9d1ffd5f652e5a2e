"""The differential oracle's app: one blog API served by DRF and by restflow (see tests/test_oracle.py)."""
