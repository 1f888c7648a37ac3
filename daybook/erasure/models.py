"""Erasure requests and the tombstones erasure leaves."""
