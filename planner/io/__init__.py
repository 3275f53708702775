"""Readers and writers: crime files, boundary layers (and, in their own modules, GPS pings)."""
