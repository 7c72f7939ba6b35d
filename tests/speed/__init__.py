"""Issue 12: answers built once, never stale nor another viewer's; reads without the write lock."""
