"""Who is calling: principals, and the dependencies that authenticate a request."""
