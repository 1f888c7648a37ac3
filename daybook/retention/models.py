"""Retention reviews of closed cases."""
