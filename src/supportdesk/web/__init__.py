"""The pages: the staff desk (`web.desk`)."""
