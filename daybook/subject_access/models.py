"""Subject access requests and the copies produced for them."""
