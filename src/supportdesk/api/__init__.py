"""The two API generations: thin renderings of the same services."""
