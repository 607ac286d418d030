"""One module per servlet path of the Azkaban web server."""
