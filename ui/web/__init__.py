"""The Gradio web chat: the page, its handlers, and the source pages its citations link to."""
