"""The differential oracle's app: one blog API served by DRF and by restflow (see tests/end_to_end/test_blog_api_against_drf.py)."""
