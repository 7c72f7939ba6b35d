"""The pages: the portal (httpx, in process) and both sets of pages in a real browser."""
