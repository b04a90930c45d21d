"""Front ends over the rag engine, one folder each, and the server that mounts them."""
